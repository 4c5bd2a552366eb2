package dev.kindling.config;

import dev.kindling.UsageException;
import java.util.Locale;

/**
 * How a run is spread over Spark, validated where it is made.
 *
 * @param mode              "sync" (gradients averaged every round) or "local" (parameters and
 *                          optimizer state averaged every {@code localSteps} steps)
 * @param partitions        data shards; null for the cluster's default parallelism
 * @param localSteps        local optimizer steps per round in local mode (> 0)
 * @param checkpointEvery   rounds between checkpoints; null for once per epoch, 0 for never
 * @param divergenceRetries times a diverged run goes back to its last good state and retries
 *                          with half the learning rate before it stops (0: stop at once)
 */
public record Distribution(String mode, Integer partitions, int localSteps, Integer checkpointEvery,
                           int divergenceRetries) {
    public static final String SYNC = "sync";
    public static final String LOCAL = "local";

    public Distribution {
        mode = mode == null ? Defaults.MODE : mode.trim().toLowerCase(Locale.ROOT);
        if (!SYNC.equals(mode) && !LOCAL.equals(mode)) {
            throw new UsageException("mode: unknown value \"" + mode + "\" (expected sync or local)");
        }
        if (partitions != null && partitions <= 0) {
            throw new UsageException("partitions: " + partitions + " must be > 0");
        }
        if (localSteps <= 0) {
            throw new UsageException("local-steps: " + localSteps + " must be > 0");
        }
        if (checkpointEvery != null && checkpointEvery < 0) {
            throw new UsageException("checkpoint-every: " + checkpointEvery
                    + " must be >= 0 (rounds between checkpoints; 0: never)");
        }
        if (divergenceRetries < 0) {
            throw new UsageException("divergence-retries: " + divergenceRetries + " must be >= 0");
        }
    }

    /** The job's distribution, with the defaults for what it leaves out. */
    public static Distribution of(JobConfig job) {
        return new Distribution(job.mode(), job.partitions(),
                job.localSteps() == null ? Defaults.LOCAL_STEPS : job.localSteps(), job.checkpointEvery(),
                job.divergenceRetries() == null ? Defaults.DIVERGENCE_RETRIES : job.divergenceRetries());
    }

    /** The defaults: sync mode, the default parallelism, a checkpoint per epoch (where a run keeps them). */
    public static Distribution defaults() {
        return of(JobConfig.empty());
    }

    public boolean local() {
        return LOCAL.equals(mode);
    }

    public Distribution withMode(String m) {
        return new Distribution(m, partitions, localSteps, checkpointEvery, divergenceRetries);
    }

    public Distribution withLocalSteps(int k) {
        return new Distribution(mode, partitions, k, checkpointEvery, divergenceRetries);
    }

    public Distribution withCheckpointEvery(Integer every) {
        return new Distribution(mode, partitions, localSteps, every, divergenceRetries);
    }

    public Distribution withPartitions(Integer n) {
        return new Distribution(mode, n, localSteps, checkpointEvery, divergenceRetries);
    }

    public Distribution withDivergenceRetries(int n) {
        return new Distribution(mode, partitions, localSteps, checkpointEvery, n);
    }
}
