package dev.kindling.backend;

import dev.kindling.KindlingException;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;

/**
 * GEMM through OpenBLAS (the JavaCPP preset), pinned to one thread.
 *
 * <p>One thread, because parallelism comes from Spark tasks, one per core; OpenBLAS's own
 * default of one thread per core made every call stall for milliseconds on a 2-core machine
 * where the cores were already busy. The setting is process-wide, so it is made once, when the
 * library loads.
 *
 * <p>Operands travel through persistent native scratch buffers ({@link Staging}) rather than
 * JavaCPP's {@code float[]} overload: that overload copies every whole array in and back out on
 * each call, which for a view into the flat parameter vector means the entire vector. C is
 * copied in only when beta is not 0.
 *
 * <p>OpenBLAS picks its CPU kernels when it loads, from the environment variable
 * {@code OPENBLAS_CORETYPE} or else its own detection, and either may fall short of the CPU: on
 * an AVX-512 AMD EPYC an inherited {@code OPENBLAS_CORETYPE=Haswell} gave AVX2 kernels, and
 * {@code SkylakeX} ran about 1.7 times faster. Only a launcher can set it, before the JVM starts;
 * {@link #library()} and {@link #corename()} report the kernel chosen, {@link OpenBlasKernels}
 * what it means.
 *
 * <p>Everything native is touched through {@code openblas_full}, the only class that declares
 * {@code openblas_set_num_threads}. The preset maps a second copy of the library for
 * {@code openblas_nolapack} ({@code libopenblas_nolapack.so.0} beside {@code libopenblas.so.0}),
 * and a thread count set through one class need not govern calls made through another.
 *
 * <p>Thin products go to the Vector API kernel instead, where the JVM has the module
 * ({@link GemmShapes#runsInJava}): a convolution's im2col products, with few rows, tens of
 * thousands of columns and a depth of a few dozen, or a weight gradient of a few hundred entries
 * summed over tens of thousands of positions. Such a product does little arithmetic per float
 * it touches (about 2mk/(m+k) flops per element of B and C for the first kind), so copying its
 * operands into native memory and C back out costs as much as OpenBLAS's kernel saves; the Java
 * kernel reads the heap where it lies, packs an untransposed B with plain row copies, and
 * computes the deep kind as dot products of rows without packing at all.
 *
 * <p>Measured on one AVX-512 core, SkylakeX kernels, copies included, GFLOP/s Java against
 * OpenBLAS (JMH on a quiet machine; then thread CPU time, interleaved, on a loaded one): a 5×5×20
 * convolution on a batch of 100, forward 20×57600×25: 100 against 70, 38 against 34; its input
 * gradient, transposed A, 25×57600×20: 98 against 61, 46 against 32; its weight gradient,
 * transposed B, 20×25×57600: 46 against 47 through the packing kernel, 41 against 29 as dot
 * products; 20×5760×25: 76 against 64; 16×4000×200 (2mk/(m+k) = 30): 73 against 61;
 * 32×78400×9: even. OpenBLAS stays ahead wherever there is more arithmetic per element, or B is
 * narrow, or a transposed B is large in both dimensions: 64×19600×288 (2mk/(m+k) = 105) 91
 * against 68, 64×288×19600 95 against 91 (and 26 as dot products), 100×10×100 by 2.6 times,
 * every dense layer's shape (100×100×784 and the like) by 1.15 to 1.3 times. Once the Java
 * kernel wrote C directly for beta = 0, on a less loaded machine: 20×57600×25 79 against 53,
 * 25×57600×20 79 against 44. Hence the rules:
 * B untransposed, at least 1024 columns and 2mk/(m+k) at most 32; or B transposed, A not, a
 * depth of at least 1024 and at most 1024 entries of C. They depend on the shape alone, so a
 * network's results are the same from run to run.
 */
public final class BlasBackend implements Backend {

    private static final String UNAVAILABLE_REASON;
    private static final String LIBRARY;
    private static final String CORENAME;

    static {
        String reason = null;
        String library = null;
        String corename = null;
        try {
            Loader.load(openblas_full.class);
            openblas_full.openblas_set_num_threads(1);
            int threads = openblas_full.openblas_get_num_threads();
            if (threads != 1) {
                reason = "OpenBLAS still runs " + threads + " threads after openblas_set_num_threads(1)";
            }
            corename = openblas_full.openblas_get_corename().getString().trim();
            library = openblas_full.openblas_get_config().getString().trim() + ", core " + corename;
        } catch (Throwable t) {
            // Whatever goes wrong (missing jar, missing native library, wrong platform), the
            // caller falls back to a Java backend; the reason is kept to tell the user why.
            reason = t.getClass().getName() + ": " + t.getMessage();
        }
        UNAVAILABLE_REASON = reason;
        LIBRARY = library;
        CORENAME = reason == null ? corename : null;
    }

    private FloatPointer aBuf;
    private FloatPointer bBuf;
    private FloatPointer cBuf;
    /** The Vector API backend for thin products, or null where the module is absent. */
    private final Backend thin;

    /** @throws KindlingException where the native library could not be loaded */
    public BlasBackend() {
        this(true);
    }

    /**
     * With {@code thinInJava} false every product goes to OpenBLAS, whatever its shape: for
     * tests and measurements that compare the two routes.
     */
    BlasBackend(boolean thinInJava) {
        if (UNAVAILABLE_REASON != null) {
            throw new KindlingException("backend: OpenBLAS is not available: " + UNAVAILABLE_REASON);
        }
        aBuf = new FloatPointer(1);
        bBuf = new FloatPointer(1);
        cBuf = new FloatPointer(1);
        thin = thinInJava && Backends.isVectorApiPresent() ? Backends.newVectorBackend() : null;
    }

    /** Whether OpenBLAS loaded and runs single-threaded in this JVM. Never throws. */
    public static boolean isAvailable() {
        return UNAVAILABLE_REASON == null;
    }

    /** Why OpenBLAS is not available, or null where it is. */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** OpenBLAS's build configuration and the CPU kernel it chose, or null where unavailable. */
    public static String library() {
        return LIBRARY;
    }

    /**
     * The name of the CPU kernels OpenBLAS chose (e.g. "Haswell", "SkylakeX"), or null where
     * unavailable; {@link OpenBlasKernels} says what it means.
     */
    public static String corename() {
        return CORENAME;
    }

    /** The thread count OpenBLAS reports now; for tests that guard the one-thread setting. */
    static int nativeThreads() {
        return openblas_full.openblas_get_num_threads();
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (GemmArgs.checkedAndTrivial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc)) {
            return;
        }
        if (thin != null && GemmShapes.runsInJava(transA, transB, m, n, k)) {
            thin.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        aBuf = ensure(aBuf, Staging.size(aRows, aCols, lda));
        bBuf = ensure(bBuf, Staging.size(bRows, bCols, ldb));
        cBuf = ensure(cBuf, (long) m * n);
        int aLd = Staging.in(a, aOff, aRows, aCols, lda, aBuf);
        int bLd = Staging.in(b, bOff, bRows, bCols, ldb, bBuf);
        if (beta != 0f) {
            Staging.rowsIn(c, cOff, m, n, ldc, cBuf);
        }
        openblas_full.cblas_sgemm(openblas_full.CblasRowMajor,
                transA ? openblas_full.CblasTrans : openblas_full.CblasNoTrans,
                transB ? openblas_full.CblasTrans : openblas_full.CblasNoTrans,
                m, n, k, alpha, aBuf, aLd, bBuf, bLd, beta, cBuf, n);
        Staging.rowsOut(cBuf, m, n, c, cOff, ldc);
    }

    // Grows by at least half again, so a slowly rising size does not reallocate every call.
    private static FloatPointer ensure(FloatPointer buf, long size) {
        if (buf.capacity() >= size) {
            return buf;
        }
        long grown = Math.max(size, buf.capacity() + buf.capacity() / 2);
        buf.close();
        return new FloatPointer(grown);
    }

    @Override
    public long nativeBytes() {
        return Float.BYTES * (aBuf.capacity() + bBuf.capacity() + cBuf.capacity());
    }

    @Override
    public String name() {
        return "blas";
    }

    @Override
    public String toString() {
        return "blas (" + LIBRARY + ", 1 thread)";
    }
}
