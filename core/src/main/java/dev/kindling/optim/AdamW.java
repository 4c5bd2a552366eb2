package dev.kindling.optim;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's AdamW: first
 * {@code p -= lr*wd*p} on the weights, then the {@link Adam} step on every parameter. Unlike L2
 * decay through the gradient ({@link WeightDecay}), the shrinkage is not divided by Adam's
 * root of v, so every weight decays at the same relative rate.
 *
 * <p>Only the given weight ranges decay: biases (and batch-norm scales and shifts) are left out,
 * as is usual, because shrinking them towards zero does not regularise anything.
 * State: as Adam, m then v.
 */
public final class AdamW implements Optimizer {
    public static final String NAME = "adamw";
    public static final float DEFAULT_WEIGHT_DECAY = 0.01f;

    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final int[] weightRanges;

    /** Defaults for everything but the layout; see {@link WeightDecay} for the range format. */
    public AdamW(int[] weightRanges) {
        this(Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2, Adam.DEFAULT_EPSILON, DEFAULT_WEIGHT_DECAY,
                weightRanges);
    }

    /**
     * @param weightRanges (offset, length) pairs, ascending and not overlapping, that cover the
     *                     weights to decay; it is copied
     */
    public AdamW(float beta1, float beta2, float epsilon, float weightDecay, int[] weightRanges) {
        this.beta1 = Checks.fraction(NAME + ".beta1", beta1);
        this.beta2 = Checks.fraction(NAME + ".beta2", beta2);
        this.epsilon = Checks.positive(NAME + ".epsilon", epsilon);
        this.weightDecay = Checks.nonNegative(NAME + ".weightDecay", weightDecay);
        this.weightRanges = WeightDecay.checkedRanges(weightRanges);
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

    public float weightDecay() {
        return weightDecay;
    }

    /** A copy of the (offset, length) pairs that decay. */
    public int[] weightRanges() {
        return weightRanges.clone();
    }

    @Override
    public int stateSize(int n) {
        return Math.multiplyExact(2, n);
    }

    @Override
    public void update(float[] params, float[] grads, float[] state, long step, float learningRate) {
        Checks.update(NAME, params, grads, state, stateSize(params.length), step, learningRate);
        WeightDecay.checkFits(weightRanges, params.length);
        if (weightDecay > 0f) {
            WeightDecay.scale(params, weightRanges, 1f - learningRate * weightDecay);
        }
        Adam.step(params, grads, state, step, learningRate, beta1, beta2, epsilon);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return NAME + "(beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon
                + ", weightDecay=" + weightDecay + ")";
    }
}
