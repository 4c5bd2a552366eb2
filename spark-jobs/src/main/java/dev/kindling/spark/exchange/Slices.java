package dev.kindling.spark.exchange;

/**
 * Where slice {@code rank} of a vector of {@code length} floats lies among {@code size} tasks:
 * contiguous ranges in rank order whose sizes differ by at most one. Task {@code rank} owns its
 * slice in a collective: it receives the sum of that slice and sends it back to the others.
 */
public final class Slices {
    private Slices() {
    }

    /** First index of the slice (inclusive); long arithmetic, as rank * length may pass 2^31. */
    public static int start(int rank, int size, int length) {
        return (int) ((long) rank * length / size);
    }

    /** End of the slice (exclusive): where the next one starts. */
    public static int end(int rank, int size, int length) {
        return start(rank + 1, size, length);
    }
}
