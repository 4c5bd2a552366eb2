package dev.kindling.config;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.backend.Backends;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.LearningRateSchedule;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.optim.WeightDecaySplit;
import dev.kindling.train.TrainConfig;

/**
 * The resolved settings of a training job: every default filled (from {@link Defaults}, nowhere
 * else) and every value validated, once. Every entry point that trains ({@code train} on one
 * machine or on Spark, {@code retrain}, a sweep's trials, the Spark ML estimator) resolves its
 * {@link JobConfig} through {@link #resolve}, so they agree on defaults and on rules such as
 * where weight decay goes.
 *
 * @param master the master as given, trimmed; {@code single} for one machine without Spark
 */
public record TrainSettings(NetworkSpec spec, OptimizerConfig optimizer, TrainConfig train, String backend,
                            String master, DataParallel parallel) {

    /** Resolves {@code job}; a bad value is a {@link UsageException} naming its field. */
    public static TrainSettings resolve(JobConfig job) {
        try {
            NetworkSpec spec = job.networkSpec();
            String optName = job.optimizer() == null ? Defaults.OPTIMIZER : job.optimizer();
            TrainConfig train = TrainConfig.defaults();
            // through the decimal string so 0.001f prints as 0.001, not 0.0010000000474974513
            train = train.withLearningRate(job.lr() != null ? job.lr()
                    : Double.parseDouble(Float.toString(Optimizers.defaultLearningRate(optName))));
            if (job.batch() != null) {
                train = train.withBatchSize(job.batch());
            }
            if (job.epochs() != null) {
                train = train.withEpochs(job.epochs());
            }
            if (job.seed() != null) {
                train = train.withSeed(job.seed());
            }
            if (job.schedule() != null) {
                train = train.withSchedule(job.schedule());
                // checked here, before any data is read; the run's length is known only later
                LearningRateSchedule.parse(job.schedule(), (float) train.learningRate(), Long.MAX_VALUE);
            }
            if (job.patience() != null) {
                train = train.withPatience(job.patience());
            }
            if (job.maxSteps() != null) {
                train = train.withMaxSteps(job.maxSteps());
            }
            WeightDecaySplit split = WeightDecaySplit.of(optName, job.weightDecay());
            OptimizerConfig opt = split.optimizer();
            train = train.withWeightDecay(split.l2());
            String backend = job.backend() == null ? Defaults.BACKEND : job.backend();
            Backends.checkName(backend); // loaded where it runs: here, or on the executors
            String master = job.master() != null ? job.master().trim()
                    : System.getProperty("spark.master", Defaults.MASTER);
            if (master.isEmpty()) {
                throw new UsageException("master: empty; expected single, local[N], local[*], spark://HOST:PORT, "
                        + "yarn or k8s://URL");
            }
            Masters.check(master);
            if (job.shards() != null) {
                if (!Masters.SINGLE.equals(master)) {
                    throw new UsageException("shards: --shards " + job.shards() + " is for --master single; on Spark "
                            + "the data is sharded by --partitions");
                }
                train = train.withShards(job.shards());
            }
            return new TrainSettings(spec, opt, train, backend, master, DataParallel.of(job));
        } catch (UsageException e) {
            throw e;
        } catch (KindlingException e) {
            throw new UsageException(e.getMessage());
        }
    }

    public boolean single() {
        return Masters.SINGLE.equals(master);
    }

    public TrainSettings withTrain(TrainConfig t) {
        return new TrainSettings(spec, optimizer, t, backend, master, parallel);
    }

    public TrainSettings withParallel(DataParallel d) {
        return new TrainSettings(spec, optimizer, train, backend, master, d);
    }
}
