package dev.kindling.nn;

import java.util.random.RandomGenerator;

/** Shared shape handling for the element-wise activations, which keep their input's shape. */
abstract class Activation implements Layer {
    private final Shape shape;
    protected float[] y;
    protected float[] dx;

    Activation(Shape shape) {
        this.shape = shape;
    }

    @Override
    public final Shape inputShape() {
        return shape;
    }

    @Override
    public final Shape outputShape() {
        return shape;
    }

    @Override
    public final float[] forward(float[] x, int batch, boolean training, RandomGenerator rng) {
        int n = batch * shape.size();
        y = Buffers.ensure(y, n);
        forward(x, y, n);
        return y;
    }

    @Override
    public final float[] backward(float[] dout, int batch, boolean needInputGradient) {
        if (!needInputGradient) {
            return null;
        }
        int n = batch * shape.size();
        dx = Buffers.ensure(dx, n);
        backward(dout, dx, n);
        return dx;
    }

    abstract void forward(float[] x, float[] y, int n);

    /** Uses the cached output {@code y} of the last forward. */
    abstract void backward(float[] dout, float[] dx, int n);
}
