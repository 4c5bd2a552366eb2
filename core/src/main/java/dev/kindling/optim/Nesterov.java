package dev.kindling.optim;

/**
 * Nesterov's accelerated gradient in the textbook's form (deep-learning-from-scratch
 * {@code common/optimizer.py}, after Bengio et al.'s reformulation, which keeps the parameters
 * at the look-ahead point so the gradient is taken where the parameters are). The textbook
 * writes {@code p += mu*mu*v - (1+mu)*lr*g; v = mu*v - lr*g}; here the velocity is updated
 * first, which gives the same parameters in one pass: {@code v = mu*v - lr*g; p += mu*v - lr*g}.
 * State: the velocity v, n floats, starting at zero.
 *
 * <p>PyTorch's {@code SGD(nesterov=True)} with no dampening gives the same parameters while the
 * rate is constant; it keeps its buffer unscaled by the rate, so under a schedule the two part.
 */
public final class Nesterov implements Optimizer {
    public static final String NAME = "nesterov";
    public static final float DEFAULT_MOMENTUM = 0.9f;

    private final float mu;

    public Nesterov() {
        this(DEFAULT_MOMENTUM);
    }

    public Nesterov(float momentum) {
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
            float lrG = learningRate * grads[i];
            float v = mu * state[i] - lrG;
            state[i] = v;
            params[i] += mu * v - lrG;
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
