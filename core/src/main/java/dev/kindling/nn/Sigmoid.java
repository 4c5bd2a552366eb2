package dev.kindling.nn;

/** 1 / (1 + e^-x); its derivative y(1 − y) comes from the cached output. */
public final class Sigmoid extends Activation {
    public Sigmoid(Shape shape) {
        super(shape);
    }

    @Override
    void forward(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
        }
    }

    @Override
    void backward(float[] dout, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = dout[i] * y[i] * (1f - y[i]);
        }
    }
}
