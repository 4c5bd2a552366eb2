package dev.kindling.train;

import dev.kindling.optim.LearningRateSchedule;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.optim.WeightDecay;
import java.util.Arrays;

/**
 * The update step of one slice {@code [from, to)} of the parameter vector, holding the optimizer
 * state of that slice alone (ZeRO stage 1, BigDL's parameter slices): a task that owns a slice
 * applies weight decay and the optimizer to it, and no one holds the whole state.
 *
 * <p>Every optimizer here is element-wise, and its state is a whole number of blocks of one
 * float per parameter (Adam: m, then v). So the step of a slice equals the slice of the whole
 * step, provided the weight ranges (which decide what decays) are cut to the slice and shifted
 * to its origin: that is all this class adds to {@link UpdateStep}.
 */
public final class SliceUpdate {
    private final int from;
    private final int to;
    private final int parameters;
    private final int blocks;
    private final UpdateStep step;

    /**
     * @param parameters   the length of the whole parameter vector
     * @param weightRanges the whole vector's weight ranges ({@link WeightDecay})
     * @param wholeState   the whole optimizer state, from which the slice's is copied
     * @param stepsTaken   steps taken before the next {@link #apply}
     */
    public SliceUpdate(OptimizerConfig optimizer, LearningRateSchedule schedule, float weightDecay, int parameters,
                       int[] weightRanges, int from, int to, float[] wholeState, long stepsTaken) {
        if (from < 0 || to < from || to > parameters) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") of " + parameters + " parameters");
        }
        this.from = from;
        this.to = to;
        this.parameters = parameters;
        int[] ranges = rangesWithin(weightRanges, from, to);
        Optimizer o = Optimizers.create(optimizer, ranges);
        this.blocks = blocks(o);
        float[] state = new float[blocks * (to - from)];
        copyState(wholeState, state, true);
        this.step = new UpdateStep(o, schedule, new WeightDecay(weightDecay, ranges), state, stepsTaken);
    }

    /** Floats of state per parameter: the optimizer's state is this many blocks of n floats. */
    public static int blocks(Optimizer optimizer) {
        int k = optimizer.stateSize(1);
        if (optimizer.stateSize(7) != 7 * k) {
            throw new IllegalStateException(optimizer.name() + ": state is not whole blocks of one float per parameter");
        }
        return k;
    }

    /**
     * The (offset, length) pairs of {@code weightRanges} that fall inside {@code [from, to)},
     * cut to it and counted from {@code from}.
     */
    public static int[] rangesWithin(int[] weightRanges, int from, int to) {
        int[] out = new int[weightRanges.length];
        int n = 0;
        for (int r = 0; r < weightRanges.length; r += 2) {
            int start = Math.max(weightRanges[r], from);
            int end = Math.min(weightRanges[r] + weightRanges[r + 1], to);
            if (start < end) {
                out[n++] = start - from;
                out[n++] = end - start;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** One step on the slice: {@code params} and {@code grads} hold the slice's floats from index 0 ({@code grads} gains the decay). */
    public void apply(float[] params, float[] grads) {
        step.apply(params, grads);
    }

    /** The slice's own state, changed in place by {@link #apply}. */
    public float[] state() {
        return step.state();
    }

    public long stepsTaken() {
        return step.step();
    }

    /** Copies the slice's state out of ({@code intoSlice}) or back into the whole state {@code whole}. */
    public void copyState(float[] whole, float[] slice, boolean intoSlice) {
        int n = to - from;
        for (int b = 0; b < blocks; b++) {
            if (intoSlice) {
                System.arraycopy(whole, b * parameters + from, slice, b * n, n);
            } else {
                System.arraycopy(slice, b * n, whole, b * parameters + from, n);
            }
        }
    }

    /** Writes this slice's state into its place in {@code whole}. */
    public void stateInto(float[] whole) {
        copyState(whole, step.state(), false);
    }
}
