package dev.kindling.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM in pure Java with the Vector API, blocked the way BLIS and GotoBLAS are: op(B) is
 * packed into panels NR columns wide and op(A) into panels MR rows tall, so the micro-kernel
 * reads both contiguously whatever the transposes, and keeps an MR×NR block of C in registers
 * across a whole k-block while each step is MR broadcasts and 2·MR fused multiply-adds.
 * Packing zero-pads the edges, so only the final store needs to know about partial tiles.
 *
 * <p>The sizes were chosen by measurement on an AVX-512 core: a 4×(2 vectors) kernel ran 1.5 to
 * 3 times as fast as 6×2, 8×1 or 4×4, and its 8 accumulators also fit the 16 registers of
 * AVX2; KC and MC mattered little.
 *
 * <p>This class links against {@code jdk.incubator.vector}; load it only where that module is
 * in the boot layer ({@link Backends} checks before it does so).
 */
public final class VectorBackend implements Backend {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Rows of C per micro-kernel. */
    private static final int MR = 4;
    /** Columns of C per micro-kernel: two vectors. */
    private static final int NR = 2 * LANES;
    /** Depth of one k-block: an A panel and a B panel together stay in L1. */
    private static final int KC = 256;
    /** Rows of A packed at a time (a multiple of MR): MC·KC floats stay in L2. */
    private static final int MC = 32 * MR;

    private final float[] packedA = new float[MC * KC];
    private float[] packedB = new float[0];
    private final float[] tile = new float[MR * NR];

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (GemmArgs.checkedAndTrivial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc)) {
            return;
        }
        // C is scaled by beta once, up front, so that every k-block, the first included, adds
        // its product to C: one store path with no branch on beta (see store).
        // With beta = 0 and one k-block, the kernels write C instead: no pass to zero it first,
        // and no read of it in each store.
        boolean overwrite = beta == 0f && k <= KC;
        if (!overwrite) {
            GemmArgs.scale(beta, m, n, c, cOff, ldc);
        }
        if (GemmShapes.isDeepDot(transA, transB, m, n, k)) {
            deepDot(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        int panelsB = (n + NR - 1) / NR;
        int sizeB = panelsB * NR * Math.min(k, KC);
        if (packedB.length < sizeB) {
            packedB = new float[sizeB];
        }
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            if (transB) {
                packTransposedB(b, bOff, ldb, pc, kc, n);
            } else {
                packB(b, bOff, ldb, pc, kc, n);
            }
            for (int ic = 0; ic < m; ic += MC) {
                int mc = Math.min(MC, m - ic);
                if (transA) {
                    packTransposedA(a, aOff, lda, ic, mc, pc, kc);
                } else {
                    packA(a, aOff, lda, ic, mc, pc, kc);
                }
                for (int j0 = 0; j0 < n; j0 += NR) {
                    int nr = Math.min(NR, n - j0);
                    for (int ir = 0; ir < mc; ir += MR) {
                        int mr = Math.min(MR, mc - ir);
                        int at = cOff + (ic + ir) * ldc + j0;
                        if (nr <= LANES) {
                            narrowKernel(kc, ir * kc, j0 * kc, alpha, c, at, ldc, mr, nr, overwrite);
                        } else if (overwrite) {
                            kernelSet(kc, ir * kc, j0 * kc, alpha, c, at, ldc, mr, nr);
                        } else {
                            kernel(kc, ir * kc, j0 * kc, alpha, c, at, ldc, mr, nr);
                        }
                    }
                }
            }
        }
    }

    /** Depth of one block of {@link #deepDot}: 4 rows of A and 2 of B stay in L1. */
    private static final int DOT_KC = 1024;

    /**
     * C += alpha·A·Bᵀ where both A (m×k) and B (n×k) are read along their rows, which are
     * contiguous: each entry of C is a dot product of two rows, so nothing is packed. Packing
     * would be most of the work here, since each element of A and B takes part in only m or n
     * multiply-adds, and packing a transposed B is a scalar scatter. A 4×2 block of C is kept in
     * 8 vector accumulators over one k-block, then reduced and added to C; k-blocks keep the
     * rows a block reads in cache while the other blocks of C read them again.
     */
    private static void deepDot(int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        for (int p0 = 0; p0 < k; p0 += DOT_KC) {
            int kc = Math.min(DOT_KC, k - p0);
            int kv = p0 + SPECIES.loopBound(kc);
            int end = p0 + kc;
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                int a0 = aOff + i * lda;
                int j = 0;
                for (; j + 2 <= n; j += 2) {
                    dot4x2(a, a0, lda, b, bOff + j * ldb, ldb, p0, kv, end, alpha, c, cOff + i * ldc + j, ldc);
                }
                for (; j < n; j++) {
                    for (int r = 0; r < 4; r++) {
                        c[cOff + (i + r) * ldc + j] += alpha * dot(a, a0 + r * lda, b, bOff + j * ldb, p0, kv, end);
                    }
                }
            }
            for (; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c[cOff + i * ldc + j] += alpha * dot(a, aOff + i * lda, b, bOff + j * ldb, p0, kv, end);
                }
            }
        }
    }

    private static void dot4x2(float[] a, int a0, int lda, float[] b, int b0, int ldb,
                               int p0, int kv, int end, float alpha, float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int b1 = b0 + ldb;
        for (int p = p0; p < kv; p += LANES) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, b, b0 + p);
            FloatVector v1 = FloatVector.fromArray(SPECIES, b, b1 + p);
            FloatVector u = FloatVector.fromArray(SPECIES, a, a0 + p);
            c00 = u.fma(v0, c00);
            c01 = u.fma(v1, c01);
            u = FloatVector.fromArray(SPECIES, a, a1 + p);
            c10 = u.fma(v0, c10);
            c11 = u.fma(v1, c11);
            u = FloatVector.fromArray(SPECIES, a, a2 + p);
            c20 = u.fma(v0, c20);
            c21 = u.fma(v1, c21);
            u = FloatVector.fromArray(SPECIES, a, a3 + p);
            c30 = u.fma(v0, c30);
            c31 = u.fma(v1, c31);
        }
        c[ci] += alpha * (c00.reduceLanes(VectorOperators.ADD) + tail(a, a0, b, b0, kv, end));
        c[ci + 1] += alpha * (c01.reduceLanes(VectorOperators.ADD) + tail(a, a0, b, b1, kv, end));
        ci += ldc;
        c[ci] += alpha * (c10.reduceLanes(VectorOperators.ADD) + tail(a, a1, b, b0, kv, end));
        c[ci + 1] += alpha * (c11.reduceLanes(VectorOperators.ADD) + tail(a, a1, b, b1, kv, end));
        ci += ldc;
        c[ci] += alpha * (c20.reduceLanes(VectorOperators.ADD) + tail(a, a2, b, b0, kv, end));
        c[ci + 1] += alpha * (c21.reduceLanes(VectorOperators.ADD) + tail(a, a2, b, b1, kv, end));
        ci += ldc;
        c[ci] += alpha * (c30.reduceLanes(VectorOperators.ADD) + tail(a, a3, b, b0, kv, end));
        c[ci + 1] += alpha * (c31.reduceLanes(VectorOperators.ADD) + tail(a, a3, b, b1, kv, end));
    }

    private static float dot(float[] a, int ai, float[] b, int bi, int p0, int kv, int end) {
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int p = p0; p < kv; p += LANES) {
            acc = FloatVector.fromArray(SPECIES, a, ai + p).fma(FloatVector.fromArray(SPECIES, b, bi + p), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD) + tail(a, ai, b, bi, kv, end);
    }

    /** The scalar rest of a dot product, positions kv to end. */
    private static float tail(float[] a, int ai, float[] b, int bi, int kv, int end) {
        float s = 0f;
        for (int p = kv; p < end; p++) {
            s += a[ai + p] * b[bi + p];
        }
        return s;
    }

    // Panel layout for A: MR-row panels one after another, each kc steps of MR values.

    private void packA(float[] a, int aOff, int lda, int i0, int mc, int p0, int kc) {
        float[] dst = packedA;
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int panel = ir * kc;
            for (int r = 0; r < MR; r++) {
                if (r < mr) {
                    int src = aOff + (i0 + ir + r) * lda + p0;
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * MR + r] = a[src + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /** A is stored k×m, so each step's MR values of a panel are adjacent in memory. */
    private void packTransposedA(float[] a, int aOff, int lda, int i0, int mc, int p0, int kc) {
        float[] dst = packedA;
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int panel = ir * kc;
            for (int p = 0; p < kc; p++) {
                int src = aOff + (p0 + p) * lda + i0 + ir;
                int d = panel + p * MR;
                if (mr == MR) {
                    dst[d] = a[src];
                    dst[d + 1] = a[src + 1];
                    dst[d + 2] = a[src + 2];
                    dst[d + 3] = a[src + 3];
                } else {
                    for (int r = 0; r < MR; r++) {
                        dst[d + r] = r < mr ? a[src + r] : 0f;
                    }
                }
            }
        }
    }

    // Panel layout for B: NR-column panels one after another, each kc steps of NR values.

    private void packB(float[] b, int bOff, int ldb, int p0, int kc, int n) {
        float[] dst = packedB;
        for (int j0 = 0; j0 < n; j0 += NR) {
            int nr = Math.min(NR, n - j0);
            int panel = j0 * kc;
            for (int p = 0; p < kc; p++) {
                int d = panel + p * NR;
                System.arraycopy(b, bOff + (p0 + p) * ldb + j0, dst, d, nr);
                if (nr < NR) {
                    java.util.Arrays.fill(dst, d + nr, d + NR, 0f);
                }
            }
        }
    }

    /** B is stored n×k: each column of op(B) is read along its contiguous row of B. */
    private void packTransposedB(float[] b, int bOff, int ldb, int p0, int kc, int n) {
        float[] dst = packedB;
        for (int j0 = 0; j0 < n; j0 += NR) {
            int nr = Math.min(NR, n - j0);
            int panel = j0 * kc;
            for (int q = 0; q < NR; q++) {
                if (q < nr) {
                    int src = bOff + (j0 + q) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * NR + q] = b[src + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * NR + q] = 0f;
                    }
                }
            }
        }
    }

    /**
     * C[0:mr, 0:nr] (at {@code ci}) += alpha · Ap·Bp over one k-block, Ap being the A
     * panel at {@code ai} and Bp the B panel at {@code bi}. Always computes the full MR×NR tile;
     * padding rows and columns are zero and simply not stored.
     */
    private void kernel(int kc, int ai, int bi, float alpha,
                        float[] c, int ci, int ldc, int mr, int nr) {
        float[] pa = packedA;
        float[] pb = packedB;
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
            FloatVector av = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, pa[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, pa[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        if (mr == MR && nr == NR) {
            store(c00, alpha, c, ci);
            store(c01, alpha, c, ci + LANES);
            store(c10, alpha, c, ci + ldc);
            store(c11, alpha, c, ci + ldc + LANES);
            store(c20, alpha, c, ci + 2 * ldc);
            store(c21, alpha, c, ci + 2 * ldc + LANES);
            store(c30, alpha, c, ci + 3 * ldc);
            store(c31, alpha, c, ci + 3 * ldc + LANES);
            return;
        }
        float[] t = tile;
        c00.intoArray(t, 0);
        c01.intoArray(t, LANES);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + LANES);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + LANES);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + LANES);
        storeTile(alpha, c, ci, ldc, mr, nr, false);
    }

    /** {@link #kernel} for a product with beta = 0 and a single k-block: writes C, never reads it. */
    private void kernelSet(int kc, int ai, int bi, float alpha,
                        float[] c, int ci, int ldc, int mr, int nr) {
        float[] pa = packedA;
        float[] pb = packedB;
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
            FloatVector av = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, pa[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, pa[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        if (mr == MR && nr == NR) {
            set(c00, alpha, c, ci);
            set(c01, alpha, c, ci + LANES);
            set(c10, alpha, c, ci + ldc);
            set(c11, alpha, c, ci + ldc + LANES);
            set(c20, alpha, c, ci + 2 * ldc);
            set(c21, alpha, c, ci + 2 * ldc + LANES);
            set(c30, alpha, c, ci + 3 * ldc);
            set(c31, alpha, c, ci + 3 * ldc + LANES);
            return;
        }
        float[] t = tile;
        c00.intoArray(t, 0);
        c01.intoArray(t, LANES);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + LANES);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + LANES);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + LANES);
        storeTile(alpha, c, ci, ldc, mr, nr, true);
    }

    /**
     * The kernel for a last panel at most one vector wide (the 10 outputs of a classifier,
     * or n = 100 leaving 4): half the work of running the full kernel on padding.
     */
    private void narrowKernel(int kc, int ai, int bi, float alpha,
                              float[] c, int ci, int ldc, int mr, int nr, boolean overwrite) {
        float[] pa = packedA;
        float[] pb = packedB;
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            c0 = FloatVector.broadcast(SPECIES, pa[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(SPECIES, pa[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(SPECIES, pa[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(SPECIES, pa[ai + 3]).fma(b0, c3);
        }
        float[] t = tile;
        c0.intoArray(t, 0);
        c1.intoArray(t, NR);
        c2.intoArray(t, 2 * NR);
        c3.intoArray(t, 3 * NR);
        storeTile(alpha, c, ci, ldc, mr, nr, overwrite);
    }

    // Kept small and straight so that it is inlined and its vectors stay in registers: a store
    // that added beta·C under an if merged two vector values, which the JIT could only do by
    // boxing, 24 bytes on the heap per store; and a second store for beta = 1 in the kernel
    // made the whole GEMM about three times slower.
    private static void store(FloatVector acc, float alpha, float[] c, int at) {
        acc.mul(alpha).add(FloatVector.fromArray(SPECIES, c, at)).intoArray(c, at);
    }

    private static void set(FloatVector acc, float alpha, float[] c, int at) {
        acc.mul(alpha).intoArray(c, at);
    }

    /**
     * Adds (or with {@code overwrite} writes) the mr×nr corner of {@link #tile}; nothing is
     * written past the view's edge.
     */
    private void storeTile(float alpha, float[] c, int ci, int ldc, int mr, int nr, boolean overwrite) {
        float[] t = tile;
        for (int r = 0; r < mr; r++) {
            int row = ci + r * ldc;
            if (overwrite) {
                for (int q = 0; q < nr; q++) {
                    c[row + q] = alpha * t[r * NR + q];
                }
            } else {
                for (int q = 0; q < nr; q++) {
                    c[row + q] += alpha * t[r * NR + q];
                }
            }
        }
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public String toString() {
        return "java (Vector API, " + LANES + " float lanes, " + MR + "x" + NR + " micro-kernel)";
    }
}
