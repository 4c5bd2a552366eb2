package dev.kindling.optim;

/**
 * Where a run's requested weight decay goes: into the optimizer, or into the L2 term the
 * trainer adds to the gradient ({@link WeightDecay}). Every way of starting a run (the
 * {@code train} command and the jobs built on its plan, the Spark ML estimator) asks this one
 * rule, so that the same request means the same training everywhere.
 *
 * <p>AdamW's decay is decoupled: the optimizer shrinks the weights itself, so the request
 * becomes its {@code weightDecay} and the L2 term is 0; applying it as L2 too would decay the
 * weights twice, the second time through Adam's scaling that decoupling exists to avoid. Every
 * other optimizer has no decay of its own, so the request is the L2 term.
 *
 * @param optimizer the optimizer to build, carrying AdamW's decoupled decay
 * @param l2        the L2 decay for the trainer ({@code TrainConfig.weightDecay}); 0 for AdamW
 */
public record WeightDecaySplit(OptimizerConfig optimizer, double l2) {

    /**
     * The split of {@code weightDecay} for the named optimizer.
     *
     * @param optimizer   an optimizer name, in any case (an unknown one is an error)
     * @param weightDecay the requested decay, or null when none was given: then L2 is off and
     *                    AdamW keeps its own default decay
     */
    public static WeightDecaySplit of(String optimizer, Double weightDecay) {
        OptimizerConfig defaults = OptimizerConfig.of(optimizer);
        if (defaults.name().equals(AdamW.NAME)) {
            OptimizerConfig decoupled = weightDecay == null ? defaults
                    : new OptimizerConfig(defaults.name(), null, null, null, null, null, weightDecay.floatValue());
            return new WeightDecaySplit(decoupled, 0);
        }
        return new WeightDecaySplit(defaults, weightDecay == null ? 0 : weightDecay);
    }
}
