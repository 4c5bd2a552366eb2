package dev.kindling.optim;

import dev.kindling.KindlingException;

/**
 * L2 weight decay, the textbook's regulariser against overfitting: the loss gains
 * {@code 0.5 * lambda * sum(w*w)} over the weights, so each weight's gradient gains
 * {@code lambda * w}. Biases are not decayed: the caller names the weights as ranges of the flat
 * parameter vector, {@code {offset0, length0, offset1, length1, ...}}, ascending and not
 * overlapping (overlap would decay a weight twice).
 *
 * <p>This is the one place the decay is applied; the trainer calls {@link #apply} between
 * computing the gradient and the optimizer's update, with whichever optimizer is in use.
 */
public final class WeightDecay {
    private final float lambda;
    private final int[] weightRanges;

    /**
     * @param lambda       the decay, >= 0 (0 turns it off)
     * @param weightRanges (offset, length) pairs covering the weights; it is copied
     */
    public WeightDecay(float lambda, int[] weightRanges) {
        this.lambda = Checks.nonNegative("weight decay", lambda);
        this.weightRanges = checkedRanges(weightRanges);
    }

    public float lambda() {
        return lambda;
    }

    /** A copy of the (offset, length) pairs that decay. */
    public int[] weightRanges() {
        return weightRanges.clone();
    }

    /**
     * Adds {@code lambda * w} to the gradient of every weight and returns the penalty
     * {@code 0.5 * lambda * sum(w*w)} for the same parameters, to add to the reported loss.
     */
    public double apply(float[] params, float[] grads) {
        if (grads.length != params.length) {
            throw new KindlingException("weight decay: " + grads.length + " gradients for "
                    + params.length + " parameters");
        }
        checkFits(weightRanges, params.length);
        if (lambda == 0f) {
            return 0.0;
        }
        double sumOfSquares = 0.0;
        for (int r = 0; r < weightRanges.length; r += 2) {
            int end = weightRanges[r] + weightRanges[r + 1];
            for (int i = weightRanges[r]; i < end; i++) {
                float w = params[i];
                grads[i] += lambda * w;
                sumOfSquares += (double) w * w;
            }
        }
        return 0.5 * lambda * sumOfSquares;
    }

    /** The penalty alone, for a loss reported without a gradient (evaluation). */
    public double penalty(float[] params) {
        checkFits(weightRanges, params.length);
        if (lambda == 0f) {
            return 0.0;
        }
        double sumOfSquares = 0.0;
        for (int r = 0; r < weightRanges.length; r += 2) {
            int end = weightRanges[r] + weightRanges[r + 1];
            for (int i = weightRanges[r]; i < end; i++) {
                sumOfSquares += (double) params[i] * params[i];
            }
        }
        return 0.5 * lambda * sumOfSquares;
    }

    /** Multiplies the weights by {@code factor}: AdamW's decoupled decay, over the same ranges. */
    static void scale(float[] params, int[] weightRanges, float factor) {
        for (int r = 0; r < weightRanges.length; r += 2) {
            int end = weightRanges[r] + weightRanges[r + 1];
            for (int i = weightRanges[r]; i < end; i++) {
                params[i] *= factor;
            }
        }
    }

    /** Validates the pairs once, when an optimizer or decay is built, and returns a copy. */
    static int[] checkedRanges(int[] weightRanges) {
        if (weightRanges == null) {
            throw new KindlingException("weight ranges: missing (give an empty array to decay"
                    + " nothing)");
        }
        if (weightRanges.length % 2 != 0) {
            throw new KindlingException("weight ranges: " + weightRanges.length
                    + " numbers is not a list of (offset, length) pairs");
        }
        long previousEnd = 0;
        for (int r = 0; r < weightRanges.length; r += 2) {
            int offset = weightRanges[r];
            int length = weightRanges[r + 1];
            if (offset < 0 || length < 0) {
                throw new KindlingException("weight ranges: range " + r / 2 + " (offset " + offset
                        + ", length " + length + ") has a negative number");
            }
            if (offset < previousEnd) {
                throw new KindlingException("weight ranges: range " + r / 2 + " (offset " + offset
                        + ", length " + length + ") starts before the previous one ends at "
                        + previousEnd);
            }
            previousEnd = (long) offset + length;
            if (previousEnd > Integer.MAX_VALUE) {
                throw new KindlingException("weight ranges: range " + r / 2 + " (offset " + offset
                        + ", length " + length + ") ends past the largest array");
            }
        }
        return weightRanges.clone();
    }

    /** Ascending ranges fit when the last one does, so this costs O(1) per update. */
    static void checkFits(int[] weightRanges, int n) {
        int last = weightRanges.length - 2;
        if (last >= 0 && weightRanges[last] + weightRanges[last + 1] > n) {
            throw new KindlingException("weight ranges: range " + last / 2 + " ends at "
                    + (weightRanges[last] + weightRanges[last + 1]) + " but there are only " + n
                    + " parameters");
        }
    }
}
