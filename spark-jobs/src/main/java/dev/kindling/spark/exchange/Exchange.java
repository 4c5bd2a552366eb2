package dev.kindling.spark.exchange;

/**
 * One task's end of a reduce-scatter and all-gather among the tasks of a barrier stage: over
 * the network ({@link Collective}) or, where every task runs in one JVM, through its memory
 * ({@link SharedMemory}). Not thread-safe: one task thread uses it.
 */
public interface Exchange extends AutoCloseable {

    /**
     * Reduce-scatter of round {@code round}: every task passes its {@code vector} (first
     * {@code length} floats used) and small {@code extras}. On return {@code slice[0, end - start)}
     * holds, for this task's slice [start, end) ({@link Slices}), the sum over tasks 0, 1, ...,
     * size - 1 in rank order, from 0f, of their vector[start, end). Returns the extras summed over
     * the tasks in rank order from 0.0, the same on every task. The caller may change its own
     * slice of {@code vector} once this returns, nothing else of it before {@link #allGather}.
     */
    double[] reduceScatter(long round, float[] vector, int length, double[] extras, float[] slice);

    /**
     * All-gather of round {@code round}: this task has written its own slice of {@code vector};
     * on return vector[0, length) holds every task's slice. Returns the bitwise OR of every
     * task's {@code flag}.
     */
    int allGather(long round, float[] vector, int length, int flag);

    /** Bytes this task sent (or, in one JVM, that the others copied from it) so far. */
    long bytesSent();

    /** Bytes this task received (or, in one JVM, copied from the others) so far. */
    long bytesReceived();

    @Override
    void close();
}
