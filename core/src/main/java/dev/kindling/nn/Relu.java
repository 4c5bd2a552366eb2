package dev.kindling.nn;

/** max(0, x); the gradient passes where the output is positive. */
public final class Relu extends Activation {
    public Relu(Shape shape) {
        super(shape);
    }

    @Override
    void forward(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = Math.max(x[i], 0f);
        }
    }

    @Override
    void backward(float[] dout, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = y[i] > 0f ? dout[i] : 0f;
        }
    }
}
