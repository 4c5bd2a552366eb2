package dev.kindling.spark.train;

import java.io.Serializable;

/**
 * What one task of a collective segment sends back to the driver: its slice of the final
 * values, the per-round sums every task knows alike (loss, hits, examples), its own timings, and
 * why the segment stopped early, if it did.
 */
public final class SegmentResult implements Serializable {
    private static final long serialVersionUID = 1L;

    int rank;
    /** Rounds applied; fewer than planned where a round diverged. */
    int completed;
    /** Why the segment stopped before its end (the diverged round's problem, as this task saw it), or null. */
    String problem;
    /** The loss bound's first loss after the segment ({@link dev.kindling.train.LossBound}). */
    double boundFirst;
    /** Per round, summed over the shards (the same on every task). */
    double[] loss;
    long[] correct;
    long[] examples;
    /** Per round, this task's: its computation, and its whole round (computation, exchange, update). */
    long[] computeNanos;
    long[] roundNanos;
    /** This task's slice of the exchanged vector's values after the last applied round. */
    float[] values;
    /** Sync mode: the optimizer state of this task's slice of the parameters (blocks of one float per parameter). */
    float[] optimizerSlice;
    /** Meeting the other tasks (rendezvous and connections), and the whole task. */
    long connectNanos;
    long taskNanos;
    long bytesSent;
    long bytesReceived;
    /** This task's executor's OpenBLAS kernels ({@link dev.kindling.spark.runtime.ExecutorKernels}), or null. */
    String kernels;
}
