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
        y = Buffers.ensure(y, outTotal);
        if (argmax == null || argmax.length < outTotal) {
            argmax = new int[outTotal];
        }
        int h = in.height();
        int w = in.width();
        int oh = out.height();
        int ow = out.width();
        if (size == 2 && stride == 2) {
            forward2x2(x, batch * in.channels(), h, w, oh, ow);
            return y;
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

    /** The common 2×2 / stride 2 window, unrolled: the general loop costs several times more. */
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
                    int best = a;
                    float max = x[a];
                    if (x[a + 1] > max) {
                        max = x[a + 1];
                        best = a + 1;
                    }
                    if (x[b] > max) {
                        max = x[b];
                        best = b;
                    }
                    if (x[b + 1] > max) {
                        max = x[b + 1];
                        best = b + 1;
                    }
                    y[o] = max;
                    argmax[o] = best;
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
        java.util.Arrays.fill(dx, 0, inTotal, 0f);
        int outTotal = batch * out.size();
        for (int o = 0; o < outTotal; o++) {
            dx[argmax[o]] += dout[o];
        }
        return dx;
    }
}
