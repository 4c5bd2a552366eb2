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
 * @param exchange          how the shards' results meet: "collective" (a barrier stage whose tasks
 *                          exchange among themselves), "driver" (a Spark job per round, through the
 *                          driver), or null for collective where the cluster can run it and driver,
 *                          with the reason logged, where it cannot
 */
public record DataParallel(String mode, Integer partitions, int localSteps, Integer checkpointEvery,
                           int divergenceRetries, String exchange) {
    public static final String SYNC = "sync";
    public static final String LOCAL = "local";
    public static final String COLLECTIVE = "collective";
    public static final String DRIVER = "driver";

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
        if (exchange != null) {
            exchange = exchange.trim().toLowerCase(Locale.ROOT);
            if (!COLLECTIVE.equals(exchange) && !DRIVER.equals(exchange)) {
                throw new UsageException("exchange: unknown value \"" + exchange + "\" (expected collective or driver)");
            }
        }
    }

    /** The settings with the default exchange. */
    public DataParallel(String mode, Integer partitions, int localSteps, Integer checkpointEvery, int divergenceRetries) {
        this(mode, partitions, localSteps, checkpointEvery, divergenceRetries, null);
    }

    /** The job's data-parallel settings, with the defaults for what it leaves out. */
    public static DataParallel of(JobConfig job) {
        return new DataParallel(job.mode(), job.partitions(),
                job.localSteps() == null ? Defaults.LOCAL_STEPS : job.localSteps(), job.checkpointEvery(),
                job.divergenceRetries() == null ? Defaults.DIVERGENCE_RETRIES : job.divergenceRetries(), job.exchange());
    }

    /** The defaults: sync mode, the default parallelism, a checkpoint per epoch (where a run keeps them). */
    public static DataParallel defaults() {
        return of(JobConfig.empty());
    }

    public boolean local() {
        return LOCAL.equals(mode);
    }

    public DataParallel withMode(String m) {
        return new DataParallel(m, partitions, localSteps, checkpointEvery, divergenceRetries, exchange);
    }

    public DataParallel withLocalSteps(int k) {
        return new DataParallel(mode, partitions, k, checkpointEvery, divergenceRetries, exchange);
    }

    public DataParallel withCheckpointEvery(Integer every) {
        return new DataParallel(mode, partitions, localSteps, every, divergenceRetries, exchange);
    }

    public DataParallel withPartitions(Integer n) {
        return new DataParallel(mode, n, localSteps, checkpointEvery, divergenceRetries, exchange);
    }

    public DataParallel withDivergenceRetries(int n) {
        return new DataParallel(mode, partitions, localSteps, checkpointEvery, n, exchange);
    }

    public DataParallel withExchange(String e) {
        return new DataParallel(mode, partitions, localSteps, checkpointEvery, divergenceRetries, e);
    }
}
