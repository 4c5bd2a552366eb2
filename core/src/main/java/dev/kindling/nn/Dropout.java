package dev.kindling.nn;

import dev.kindling.KindlingException;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout: in training each unit is kept with probability 1 − rate and scaled by
 * 1 / (1 − rate), so inference needs no rescaling and is the identity.
 */
public final class Dropout implements Layer {
    private final Shape shape;
    private final float rate;
    private final float scale;
    private float[] mask;
    private float[] y;
    private float[] dx;
    private boolean trained;

    public Dropout(Shape shape, double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new KindlingException("dropout: rate " + rate + " is out of range [0, 1)");
        }
        this.shape = shape;
        this.rate = (float) rate;
        this.scale = (float) (1 / (1 - rate));
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training, RandomGenerator rng) {
        trained = training && rate > 0;
        if (!trained) {
            return x;
        }
        int n = batch * shape.size();
        mask = Buffers.ensure(mask, n);
        y = Buffers.ensure(y, n);
        for (int i = 0; i < n; i++) {
            mask[i] = rng.nextFloat() >= rate ? scale : 0f;
            y[i] = x[i] * mask[i];
        }
        return y;
    }

    @Override
    public float[] backward(float[] dout, int batch, boolean needInputGradient) {
        if (!needInputGradient || !trained) {
            return needInputGradient ? dout : null;
        }
        int n = batch * shape.size();
        dx = Buffers.ensure(dx, n);
        for (int i = 0; i < n; i++) {
            dx[i] = dout[i] * mask[i];
        }
        return dx;
    }
}
