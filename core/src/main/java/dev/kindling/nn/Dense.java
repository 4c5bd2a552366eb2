package dev.kindling.nn;

import dev.kindling.backend.Backend;
import dev.kindling.init.Initializer;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The affine layer: y = x·W + b, with W stored in×out and b after it in the flat vector.
 * Any input shape is taken as a flat vector of its size.
 */
public final class Dense implements Layer {
    private final Shape in;
    private final Shape out;
    private final int inputs;
    private final int units;
    private final Initializer init;
    private final Backend backend;

    private float[] params;
    private float[] grads;
    private int wOff;
    private int bOff;

    private float[] x;
    private float[] y;
    private float[] dx;

    public Dense(Shape in, int units, Initializer init, Backend backend) {
        this.in = in;
        this.inputs = in.size();
        this.units = units;
        this.out = Shape.vector(units);
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
        return inputs * units + units;
    }

    @Override
    public void bind(float[] params, float[] grads, int offset, float[] state, int stateOffset) {
        this.params = params;
        this.grads = grads;
        this.wOff = offset;
        this.bOff = offset + inputs * units;
    }

    @Override
    public void initialize(RandomGenerator rng) {
        init.fill(params, wOff, inputs * units, inputs, rng);
        java.util.Arrays.fill(params, bOff, bOff + units, 0f);
    }

    @Override
    public void weightRanges(List<int[]> ranges) {
        ranges.add(new int[] {wOff, inputs * units});
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training, RandomGenerator rng) {
        this.x = x;
        y = Buffers.ensure(y, batch * units);
        // Seed y with the bias so the GEMM adds x·W onto it in the same pass.
        for (int n = 0; n < batch; n++) {
            System.arraycopy(params, bOff, y, n * units, units);
        }
        backend.gemm(false, false, batch, units, inputs,
                1f, x, 0, inputs, params, wOff, units, 1f, y, 0, units);
        return y;
    }

    @Override
    public float[] backward(float[] dout, int batch, boolean needInputGradient) {
        // dW = xᵀ·dout, db = column sums of dout, dx = dout·Wᵀ
        backend.gemm(true, false, inputs, units, batch,
                1f, x, 0, inputs, dout, 0, units, 0f, grads, wOff, units);
        java.util.Arrays.fill(grads, bOff, bOff + units, 0f);
        for (int n = 0; n < batch; n++) {
            int row = n * units;
            for (int j = 0; j < units; j++) {
                grads[bOff + j] += dout[row + j];
            }
        }
        if (!needInputGradient) {
            return null;
        }
        dx = Buffers.ensure(dx, batch * inputs);
        backend.gemm(false, true, batch, inputs, units,
                1f, dout, 0, units, params, wOff, units, 0f, dx, 0, inputs);
        return dx;
    }
}
