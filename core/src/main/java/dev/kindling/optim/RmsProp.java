package dev.kindling.optim;

/**
 * RMSprop as in the textbook: {@code h = rho*h + (1-rho)*g*g; p -= lr*g / (sqrt(h) + eps)},
 * which is also PyTorch's without its optional momentum and centring. The decay rho defaults to
 * 0.99 in both; eps keeps the textbook's 1e-7 (PyTorch: 1e-8).
 * State: the moving average of squared gradients h, n floats, starting at zero.
 */
public final class RmsProp implements Optimizer {
    public static final String NAME = "rmsprop";
    public static final float DEFAULT_DECAY = 0.99f;
    public static final float DEFAULT_EPSILON = 1e-7f;

    private final float rho;
    private final float epsilon;

    public RmsProp() {
        this(DEFAULT_DECAY, DEFAULT_EPSILON);
    }

    public RmsProp(float decay, float epsilon) {
        this.rho = Checks.fraction(NAME + ".decay", decay);
        this.epsilon = Checks.positive(NAME + ".epsilon", epsilon);
    }

    public float decay() {
        return rho;
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
        float oneMinusRho = 1f - rho;
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            float h = rho * state[i] + oneMinusRho * g * g;
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
        return NAME + "(decay=" + rho + ", epsilon=" + epsilon + ")";
    }
}
