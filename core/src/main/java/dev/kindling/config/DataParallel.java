package dev.kindling.config;

import dev.kindling.UsageException;
import java.util.Locale;

/**
 * How a data-parallel run is spread over Spark (shards, averaging, checkpoints, retries), validated
 * where it is made.
 *
 * @param mode              "sync" (gradients averaged every round) or "local" (parameters and
 *                          optimizer state averaged every {@code localSteps} steps)
 * @param partitions        data shards; null for the cluster's default parallelism
 * @param localSteps        local optimizer steps per round in local mode (> 0)
 * @param checkpointEvery   rounds between checkpoints; null for once per epoch, 0 for never
 * @param divergenceRetries times a diverged run goes back to its last good state and retries
 *                          with half the learning rate before it stops (0: stop at once)
 */
public record DataParallel(String mode, Integer partitions, int localSteps, Integer checkpointEvery,
                           int divergenceRetries) {
    public static final String SYNC = "sync";
    public static final String LOCAL = "local";

    public DataParallel {
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

    /** The job's data-parallel settings, with the defaults for what it leaves out. */
    public static DataParallel of(JobConfig job) {
        return new DataParallel(job.mode(), job.partitions(),
                job.localSteps() == null ? Defaults.LOCAL_STEPS : job.localSteps(), job.checkpointEvery(),
                job.divergenceRetries() == null ? Defaults.DIVERGENCE_RETRIES : job.divergenceRetries());
    }

    /** The defaults: sync mode, the default parallelism, a checkpoint per epoch (where a run keeps them). */
    public static DataParallel defaults() {
        return of(JobConfig.empty());
    }

    public boolean local() {
        return LOCAL.equals(mode);
    }

    public DataParallel withMode(String m) {
        return new DataParallel(m, partitions, localSteps, checkpointEvery, divergenceRetries);
    }

    public DataParallel withLocalSteps(int k) {
        return new DataParallel(mode, partitions, k, checkpointEvery, divergenceRetries);
    }

    public DataParallel withCheckpointEvery(Integer every) {
        return new DataParallel(mode, partitions, localSteps, every, divergenceRetries);
    }

    public DataParallel withPartitions(Integer n) {
        return new DataParallel(mode, n, localSteps, checkpointEvery, divergenceRetries);
    }

    public DataParallel withDivergenceRetries(int n) {
        return new DataParallel(mode, partitions, localSteps, checkpointEvery, n);
    }
}
