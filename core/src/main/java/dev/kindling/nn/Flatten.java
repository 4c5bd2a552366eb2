package dev.kindling.nn;

import java.util.random.RandomGenerator;

/** Reinterprets C×H×W as a vector; the memory layout is already flat, so nothing moves. */
public final class Flatten implements Layer {
    private final Shape in;

    public Flatten(Shape in) {
        this.in = in;
    }

    @Override
    public Shape inputShape() {
        return in;
    }

    @Override
    public Shape outputShape() {
        return Shape.vector(in.size());
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training, RandomGenerator rng) {
        return x;
    }

    @Override
    public float[] backward(float[] dout, int batch, boolean needInputGradient) {
        return dout;
    }
}
