package dev.kindling.optim;

/**
 * AdaGrad as in the textbook: {@code h += g*g; p -= lr*g / (sqrt(h) + eps)}, with the
 * textbook's eps of 1e-7 (PyTorch uses 1e-10 and adds a rate decay we leave to the schedule).
 * State: the running sum of squared gradients h, n floats, starting at zero.
 */
public final class AdaGrad implements Optimizer {
    public static final String NAME = "adagrad";
    public static final float DEFAULT_EPSILON = 1e-7f;

    private final float epsilon;

    public AdaGrad() {
        this(DEFAULT_EPSILON);
    }

    public AdaGrad(float epsilon) {
        this.epsilon = Checks.positive(NAME + ".epsilon", epsilon);
    }

    public float epsilon() {
        return epsilon;
    }

    @Override
    public int stateSize(int n) {
        return n;
    }

    @Override
    public void update(float[] params, float[] grads, float[] state, long step, float learningRate) {
        Checks.update(NAME, params, grads, state, params.length, step, learningRate);
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            float h = state[i] + g * g;
            state[i] = h;
            params[i] -= learningRate * g / ((float) Math.sqrt(h) + epsilon);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return NAME + "(epsilon=" + epsilon + ")";
    }
}
