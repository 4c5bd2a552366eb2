package dev.kindling.backend;

/**
 * Rules on a GEMM's shape alone that pick a kernel: deterministic, so that a network computes
 * the same numbers from one run to the next. Free of the Vector API, so that {@link BlasBackend}
 * can ask them where that module is absent.
 */
final class GemmShapes {
    /** Columns of B, at least, for a thin product to go to the Java kernel. */
    static final int THIN_MIN_COLUMNS = 1024;
    /** Flops per element of B and C, 2mk/(m+k), at most, for the same. */
    static final int THIN_MAX_INTENSITY = 32;
    /** Depth, at least, for {@link #isDeepDot}. */
    static final int DOT_MIN_DEPTH = 1024;
    /** Entries of C, at most, for the same. */
    static final int DOT_MAX_OUTPUTS = 1024;

    private GemmShapes() {
    }

    /**
     * Whether {@link BlasBackend} hands a product to the Vector API kernel (see its class
     * comment): B untransposed, wide, and little arithmetic per element of B and C; or a
     * product that kernel computes as dot products ({@link #isDeepDot}).
     */
    static boolean runsInJava(boolean transA, boolean transB, int m, int n, int k) {
        return !transB && n >= THIN_MIN_COLUMNS
                && 2L * m * k <= (long) THIN_MAX_INTENSITY * (m + k)
                || isDeepDot(transA, transB, m, n, k);
    }

    /**
     * Whether C = A·Bᵀ is small and deep enough for {@link VectorBackend} to compute it as dot
     * products of rows rather than by packing: a convolution's weight gradient, 20×25 entries
     * each summed over 57,600 positions.
     */
    static boolean isDeepDot(boolean transA, boolean transB, int m, int n, int k) {
        return !transA && transB && k >= DOT_MIN_DEPTH && (long) m * n <= DOT_MAX_OUTPUTS;
    }
}
