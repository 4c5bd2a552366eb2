package dev.kindling.cli;

import dev.kindling.config.JobConfig;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.train.TrainConfig;

/**
 * A validated training job as {@code kindling train} hands it to a {@link DistributedTraining}.
 *
 * @param data            the data location as given (a local path or a Hadoop URI)
 * @param out             the output location as given
 * @param config          the settings as given (file and flags merged), recorded in config.json
 * @param mode            "sync" or "local"
 * @param partitions      data shards; null for the cluster's default parallelism
 * @param localSteps      local optimizer steps per round in local mode (> 0)
 * @param checkpointEvery rounds between checkpoints; null for once per epoch, 0 for never
 * @param limit           train on the first this many examples only; null for all
 */
public record TrainJob(String data, String out, JobConfig config, NetworkSpec spec, OptimizerConfig optimizer,
                       TrainConfig train, String backend, String master, String mode, Integer partitions,
                       int localSteps, Integer checkpointEvery, boolean resume, boolean overwrite, Integer limit) {
}
