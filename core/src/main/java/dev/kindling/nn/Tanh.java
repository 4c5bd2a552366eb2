package dev.kindling.nn;

/** tanh(x); its derivative 1 − y² comes from the cached output. */
public final class Tanh extends Activation {
    public Tanh(Shape shape) {
        super(shape);
    }

    @Override
    void forward(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }

    @Override
    void backward(float[] dout, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = dout[i] * (1f - y[i] * y[i]);
        }
    }
}
