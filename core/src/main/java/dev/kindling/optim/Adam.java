package dev.kindling.optim;

import dev.kindling.backend.Backends;

/**
 * Adam with PyTorch's placement of eps, outside the bias-corrected root:
 * <pre>
 *   m = beta1*m + (1-beta1)*g
 *   v = beta2*v + (1-beta2)*g*g
 *   p -= lr * (m / (1-beta1^t)) / (sqrt(v / (1-beta2^t)) + eps)
 * </pre>
 * The textbook folds both corrections into the rate and adds its 1e-7 to the uncorrected root,
 * which makes eps matter far more in the first steps; we follow PyTorch so that published
 * hyperparameters mean the same here.
 * State: m (n floats) then v (n floats), both starting at zero; t is the step passed in.
 */
public final class Adam implements Optimizer {
    public static final String NAME = "adam";
    public static final float DEFAULT_BETA1 = 0.9f;
    public static final float DEFAULT_BETA2 = 0.999f;
    public static final float DEFAULT_EPSILON = 1e-8f;
    /** Whether {@link AdamVector} can load; without the module the loop below does it all. */
    private static final boolean VECTOR_API = Backends.isVectorApiPresent();

    private final float beta1;
    private final float beta2;
    private final float epsilon;

    public Adam() {
        this(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    public Adam(float beta1, float beta2, float epsilon) {
        this.beta1 = Checks.fraction(NAME + ".beta1", beta1);
        this.beta2 = Checks.fraction(NAME + ".beta2", beta2);
        this.epsilon = Checks.positive(NAME + ".epsilon", epsilon);
    }

    public float beta1() {
        return beta1;
    }

    public float beta2() {
        return beta2;
    }

    public float epsilon() {
        return epsilon;
    }

    @Override
    public int stateSize(int n) {
        return Math.multiplyExact(2, n);
    }

    @Override
    public void update(float[] params, float[] grads, float[] state, long step, float learningRate) {
        Checks.update(NAME, params, grads, state, stateSize(params.length), step, learningRate);
        step(params, grads, state, step, learningRate, beta1, beta2, epsilon);
    }

    /** The Adam step itself, shared with {@link AdamW}; arguments already checked. */
    static void step(float[] params, float[] grads, float[] state, long step, float learningRate,
                     float beta1, float beta2, float epsilon) {
        int n = params.length;
        // The corrections are computed once per update, in double, because beta2^t stays close
        // to 1 for thousands of steps and float would lose most of 1 - beta2^t.
        double correction1 = 1.0 - Math.pow(beta1, step);
        double correction2 = 1.0 - Math.pow(beta2, step);
        float stepSize = (float) (learningRate / correction1);
        float rootCorrection2 = (float) (1.0 / Math.sqrt(correction2));
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        int done = VECTOR_API ? AdamVector.step(params, grads, state, beta1, oneMinusBeta1,
                beta2, oneMinusBeta2, stepSize, rootCorrection2, epsilon) : 0;
        for (int i = done; i < n; i++) {
            float g = grads[i];
            float m = beta1 * state[i] + oneMinusBeta1 * g;
            float v = beta2 * state[n + i] + oneMinusBeta2 * g * g;
            state[i] = m;
            state[n + i] = v;
            params[i] -= stepSize * m / ((float) Math.sqrt(v) * rootCorrection2 + epsilon);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return NAME + "(beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
    }
}
