package dev.kindling.optim;

/** Plain gradient descent, the textbook's SGD: {@code p -= lr * g}. It keeps no state. */
public final class Sgd implements Optimizer {
    public static final String NAME = "sgd";

    @Override
    public int stateSize(int n) {
        return 0;
    }

    @Override
    public void update(float[] params, float[] grads, float[] state, long step, float learningRate) {
        Checks.update(NAME, params, grads, state, 0, step, learningRate);
        for (int i = 0; i < params.length; i++) {
            params[i] -= learningRate * grads[i];
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
