package dev.kindling.backend;

/**
 * Argument checks and the degenerate cases shared by every GEMM implementation. The native
 * backend must never see an out-of-range view (it would read or write outside the array), and
 * every backend must treat k = 0 and beta = 0 the same way BLAS does.
 */
final class GemmArgs {
    private GemmArgs() {
    }

    static void check(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOff, ldc, m, n);
    }

    /**
     * Checks the views as {@link #check} does, then does the cases with nothing to multiply: an
     * empty C, and k = 0 or alpha = 0, where C = beta·C. True when that was all there was to do.
     */
    static boolean checkedAndTrivial(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                     float beta, float[] c, int cOff, int ldc) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return true;
        }
        if (k == 0 || alpha == 0f) {
            scale(beta, m, n, c, cOff, ldc);
            return true;
        }
        return false;
    }

    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("gemm: leading dimension of " + name + " is " + ld
                    + ", less than its " + cols + " columns");
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long end = off + (long) (rows - 1) * ld + cols;
        if (x == null || off < 0 || end > x.length) {
            throw new IllegalArgumentException("gemm: " + name + " (" + rows + "x" + cols
                    + ", offset " + off + ", leading dimension " + ld + ") needs " + end
                    + " floats but its array has " + (x == null ? "none" : x.length));
        }
    }

    /**
     * C = beta * C over an m×n view. With beta = 0 the old C is overwritten rather than
     * multiplied, so NaN or infinity left in an uninitialised buffer cannot leak through.
     */
    static void scale(float beta, int m, int n, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }
}
