package dev.kindling.optim;

/**
 * Gradient descent with momentum, the textbook's form: {@code v = mu*v - lr*g; p += v}.
 * State: the velocity v, n floats, starting at zero.
 *
 * <p>The velocity carries the learning rate inside it, as in the textbook. PyTorch keeps an
 * unscaled buffer {@code b = mu*b + g} and steps {@code p -= lr*b}; the two agree exactly while
 * the rate is constant and differ only in how fast a schedule's change of rate takes effect.
 */
public final class Momentum implements Optimizer {
    public static final String NAME = "momentum";
    public static final float DEFAULT_MOMENTUM = 0.9f;

    private final float mu;

    public Momentum() {
        this(DEFAULT_MOMENTUM);
    }

    public Momentum(float momentum) {
        this.mu = Checks.fraction(NAME + ".momentum", momentum);
    }

    public float momentum() {
        return mu;
    }

    @Override
    public int stateSize(int n) {
        return n;
    }

    @Override
    public void update(float[] params, float[] grads, float[] state, long step, float learningRate) {
        Checks.update(NAME, params, grads, state, params.length, step, learningRate);
        for (int i = 0; i < params.length; i++) {
            float v = mu * state[i] - learningRate * grads[i];
            state[i] = v;
            params[i] += v;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return NAME + "(momentum=" + mu + ")";
    }
}
