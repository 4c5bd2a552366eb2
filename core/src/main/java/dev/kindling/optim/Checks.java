package dev.kindling.optim;

import dev.kindling.KindlingException;

/**
 * The range checks every hyperparameter goes through, so the same mistake gets the same message
 * whether it came from a constructor, a config file or the command line.
 */
final class Checks {
    private Checks() {
    }

    /** A decay or momentum factor: 1 would never forget, so it is excluded. */
    static float fraction(String field, float value) {
        if (!(value >= 0f && value < 1f)) {
            throw new KindlingException(field + ": " + value + " is out of range [0, 1)");
        }
        return value;
    }

    static float positive(String field, float value) {
        if (value == Float.POSITIVE_INFINITY) {
            throw new KindlingException(field + ": " + value + " must be finite");
        }
        if (!(value > 0f)) {
            throw new KindlingException(field + ": " + value + " must be > 0");
        }
        return value;
    }

    static float nonNegative(String field, float value) {
        if (value == Float.POSITIVE_INFINITY) {
            throw new KindlingException(field + ": " + value + " must be finite");
        }
        if (!(value >= 0f)) {
            throw new KindlingException(field + ": " + value + " must be >= 0");
        }
        return value;
    }

    /**
     * Checks one call of {@link Optimizer#update}. The sizes can come from a checkpoint written
     * for another model, so they get a message the user can act on; the cost is a few compares
     * per update, not per element.
     */
    static void update(String name, float[] params, float[] grads, float[] state, int stateSize,
                       long step, float learningRate) {
        positive("learning rate", learningRate);
        if (step < 1) {
            throw new IllegalArgumentException(name + ": step " + step + " must be >= 1");
        }
        if (grads.length != params.length) {
            throw new KindlingException(name + ": " + grads.length + " gradients for "
                    + params.length + " parameters");
        }
        if (state.length != stateSize) {
            throw new KindlingException(name + ": state has " + state.length + " floats, expected "
                    + stateSize + " for " + params.length + " parameters");
        }
    }
}
