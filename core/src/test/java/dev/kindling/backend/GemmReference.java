package dev.kindling.backend;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/**
 * A GEMM test case: random operands laid out as views (offset, leading dimension wider than
 * the row) inside larger arrays filled with sentinels, and a double-precision reference.
 */
final class GemmReference {
    static final float SENTINEL = -7777f;

    final boolean transA;
    final boolean transB;
    final int m;
    final int n;
    final int k;
    final float alpha;
    final float beta;
    final float[] a;
    final int aOff;
    final int lda;
    final float[] b;
    final int bOff;
    final int ldb;
    final float[] c;
    final int cOff;
    final int ldc;

    /**
     * @param gap how far the leading dimensions exceed the row (0: packed), for each of A, B, C
     */
    GemmReference(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                  int gap, long seed) {
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.n = n;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        Random rnd = new Random(seed);
        int aCols = transA ? m : k;
        int bCols = transB ? k : n;
        aOff = rnd.nextInt(5);
        bOff = rnd.nextInt(5);
        cOff = rnd.nextInt(5);
        lda = aCols + gap;
        ldb = bCols + gap;
        ldc = n + gap;
        a = view(rnd, aOff, transA ? k : m, aCols, lda);
        b = view(rnd, bOff, transB ? n : k, bCols, ldb);
        c = view(rnd, cOff, m, n, ldc);
        if (beta == 0f) {
            // BLAS never reads C when beta is 0, so garbage there must not leak into the result.
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
            }
        }
    }

    private static float[] view(Random rnd, int off, int rows, int cols, int ld) {
        float[] x = new float[off + rows * ld + 3];
        java.util.Arrays.fill(x, SENTINEL);
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) {
                x[off + r * ld + q] = (float) (rnd.nextGaussian());
            }
        }
        return x;
    }

    float opA(int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    float opB(int p, int j) {
        return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
    }

    /** Runs the backend on a copy of C and checks every element and every untouched gap. */
    void check(Backend backend) {
        float[] out = c.clone();
        backend.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
        assertMatches(backend.name(), out);
    }

    void assertMatches(String who, float[] out) {
        // Error bound for a float dot product of length k: a small multiple of k·eps times the
        // sum of the magnitudes that went into it.
        double eps = Math.ulp(1f);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double mag = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) opA(i, p) * opB(p, j);
                    sum += t;
                    mag += Math.abs(t);
                }
                double old = beta == 0f ? 0 : c[cOff + i * ldc + j];
                double expected = alpha * sum + beta * old;
                double bound = 4 * eps * (k + 2) * (Math.abs(alpha) * mag + Math.abs(beta * old)) + 1e-30;
                float got = out[cOff + i * ldc + j];
                if (!(Math.abs(got - expected) <= bound)) {
                    fail(who + " " + this + ": C[" + i + "][" + j + "] = " + got + ", expected "
                            + expected + " within " + bound);
                }
            }
        }
        for (int idx = 0; idx < out.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside && out[idx] != c[idx]) {
                fail(who + " " + this + ": wrote outside C's view at index " + idx);
            }
        }
    }

    @Override
    public String toString() {
        return String.format("gemm(transA=%b, transB=%b, m=%d, n=%d, k=%d, alpha=%s, beta=%s, "
                        + "aOff=%d, lda=%d, bOff=%d, ldb=%d, cOff=%d, ldc=%d)",
                transA, transB, m, n, k, alpha, beta, aOff, lda, bOff, ldb, cOff, ldc);
    }
}
