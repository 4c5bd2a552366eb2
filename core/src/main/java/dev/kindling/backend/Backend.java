package dev.kindling.backend;

/**
 * The few heavy kernels every layer is built from. All matrices are row-major and addressed
 * as (array, offset, leading dimension), so layers can work on views into the flat parameter
 * and gradient vectors without copying them.
 *
 * <p>Implementations are not thread-safe (they may keep scratch buffers); use one per thread.
 */
public interface Backend {

    /**
     * C = alpha * op(A) * op(B) + beta * C, row-major, where op(A) is m×k and op(B) is k×n.
     * With {@code transA}, A is stored k×m; with {@code transB}, B is stored n×k.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, float[] a, int aOff, int lda,
              float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc);

    /**
     * Unfolds one image (channels×height×width at {@code xOff}) into columns for convolution:
     * {@code col} receives a (channels·kh·kw) × (outH·outW) row-major matrix at {@code colOff}
     * whose rows lie {@code ldCol} floats apart (at least outH·outW), so that the images of a
     * batch can fill side-by-side column blocks of one matrix. Positions that fall into the
     * zero padding read as 0.
     */
    /**
     * A forward pass is about to start. {@code parameters} is the network's flat parameter
     * vector, whose values may have changed since the last pass (an optimizer step, a broadcast
     * copied in, a gradient check's nudge). A backend that keeps a copy of it elsewhere, such as
     * on a GPU, refreshes that copy before its next use; the others ignore this.
     */
    default void beginPass(float[] parameters) {
    }

    /**
     * Native (off-heap) bytes this backend holds now: its scratch buffers, which grow to the
     * largest operands it has been given. The JVM heap does not see them; Spark's executor memory
     * overhead must hold them.
     */
    default long nativeBytes() {
        return 0;
    }

    default void im2col(float[] x, int xOff, int channels, int height, int width,
                        int kh, int kw, int stride, int pad, float[] col, int colOff, int ldCol) {
        Im2Col.im2col(x, xOff, channels, height, width, kh, kw, stride, pad, col, colOff, ldCol);
    }

    /** The adjoint of {@link #im2col}: adds each column entry back into its image position. */
    default void col2im(float[] col, int colOff, int ldCol, int channels, int height, int width,
                        int kh, int kw, int stride, int pad, float[] x, int xOff) {
        Im2Col.col2im(col, colOff, ldCol, channels, height, width, kh, kw, stride, pad, x, xOff);
    }

    /** A short name for logs and metrics: "cuda", "blas", "java" or "loop". */
    String name();
}
