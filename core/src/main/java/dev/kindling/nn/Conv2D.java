package dev.kindling.nn;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backend;
import dev.kindling.init.Initializer;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * 2-D convolution by im2col + GEMM. Filters W are stored F × (C·kh·kw), then the F biases.
 * Per example: col = im2col(x) is (C·kh·kw) × (outH·outW) and y = W·col + b is F × (outH·outW),
 * which is already the C×H×W layout of the output.
 */
public final class Conv2D implements Layer {
    private final Shape in;
    private final Shape out;
    private final int filters;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int pad;
    private final int patch;
    private final int positions;
    private final Initializer init;
    private final Backend backend;

    private float[] params;
    private float[] grads;
    private int wOff;
    private int bOff;

    private float[] col;
    private float[] y;
    private float[] dcol;
    private float[] dx;

    public Conv2D(Shape in, int filters, int kernel, int stride, int pad, Initializer init, Backend backend) {
        if (filters <= 0) {
            throw new KindlingException("conv.filters: " + filters + " must be > 0");
        }
        if (kernel <= 0) {
            throw new KindlingException("conv.kernel: " + kernel + " must be > 0");
        }
        if (stride <= 0) {
            throw new KindlingException("conv.stride: " + stride + " must be > 0");
        }
        if (pad < 0) {
            throw new KindlingException("conv.padding: " + pad + " must be >= 0");
        }
        int outH = (in.height() + 2 * pad - kernel) / stride + 1;
        int outW = (in.width() + 2 * pad - kernel) / stride + 1;
        if (in.height() + 2 * pad < kernel || in.width() + 2 * pad < kernel) {
            throw new KindlingException("conv.kernel: " + kernel + " does not fit the input " + in
                    + " with padding " + pad);
        }
        this.in = in;
        this.filters = filters;
        this.kh = kernel;
        this.kw = kernel;
        this.stride = stride;
        this.pad = pad;
        this.out = new Shape(filters, outH, outW);
        this.patch = in.channels() * kh * kw;
        this.positions = outH * outW;
        this.init = init;
        this.backend = backend;
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
    public int parameterCount() {
        return filters * patch + filters;
    }

    @Override
    public void bind(float[] params, float[] grads, int offset, float[] state, int stateOffset) {
        this.params = params;
        this.grads = grads;
        this.wOff = offset;
        this.bOff = offset + filters * patch;
    }

    @Override
    public void initialize(RandomGenerator rng) {
        init.fill(params, wOff, filters * patch, patch, rng);
        java.util.Arrays.fill(params, bOff, bOff + filters, 0f);
    }

    @Override
    public void weightRanges(List<int[]> ranges) {
        ranges.add(new int[] {wOff, filters * patch});
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training, RandomGenerator rng) {
        int colSize = patch * positions;
        int outSize = out.size();
        col = Buffers.ensure(col, batch * colSize);
        y = Buffers.ensure(y, batch * outSize);
        int inSize = in.size();
        for (int n = 0; n < batch; n++) {
            backend.im2col(x, n * inSize, in.channels(), in.height(), in.width(),
                    kh, kw, stride, pad, col, n * colSize);
            int yOff = n * outSize;
            for (int f = 0; f < filters; f++) {
                java.util.Arrays.fill(y, yOff + f * positions, yOff + (f + 1) * positions, params[bOff + f]);
            }
            backend.gemm(false, false, filters, positions, patch,
                    1f, params, wOff, patch, col, n * colSize, positions, 1f, y, yOff, positions);
        }
        return y;
    }

    @Override
    public float[] backward(float[] dout, int batch, boolean needInputGradient) {
        int colSize = patch * positions;
        int outSize = out.size();
        int inSize = in.size();
        java.util.Arrays.fill(grads, bOff, bOff + filters, 0f);
        if (needInputGradient) {
            dcol = Buffers.ensure(dcol, colSize);
            dx = Buffers.ensure(dx, batch * inSize);
            java.util.Arrays.fill(dx, 0, batch * inSize, 0f);
        }
        for (int n = 0; n < batch; n++) {
            int dOff = n * outSize;
            // dW += dY·colᵀ (the first example overwrites, the rest accumulate)
            backend.gemm(false, true, filters, patch, positions,
                    1f, dout, dOff, positions, col, n * colSize, positions,
                    n == 0 ? 0f : 1f, grads, wOff, patch);
            for (int f = 0; f < filters; f++) {
                float s = 0f;
                int base = dOff + f * positions;
                for (int p = 0; p < positions; p++) {
                    s += dout[base + p];
                }
                grads[bOff + f] += s;
            }
            if (needInputGradient) {
                backend.gemm(true, false, patch, positions, filters,
                        1f, params, wOff, patch, dout, dOff, positions, 0f, dcol, 0, positions);
                backend.col2im(dcol, 0, in.channels(), in.height(), in.width(),
                        kh, kw, stride, pad, dx, n * inSize);
            }
        }
        return needInputGradient ? dx : null;
    }
}
