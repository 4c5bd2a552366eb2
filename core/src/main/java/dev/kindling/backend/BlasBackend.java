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

    /** @throws KindlingException where the native library could not be loaded */
    public BlasBackend() {
        if (UNAVAILABLE_REASON != null) {
            throw new KindlingException("backend: OpenBLAS is not available: " + UNAVAILABLE_REASON);
        }
        aBuf = new FloatPointer(1);
        bBuf = new FloatPointer(1);
        cBuf = new FloatPointer(1);
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
