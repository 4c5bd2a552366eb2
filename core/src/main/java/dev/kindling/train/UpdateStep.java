package dev.kindling.train;

import dev.kindling.optim.LearningRateSchedule;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.WeightDecay;

/**
 * One optimizer step from a mean gradient, the same wherever it runs (the single-machine
 * trainer, a Spark driver, a Spark task in local mode): weight decay is added to the gradient,
 * the step count advances, and the optimizer updates the parameters with the schedule's rate
 * for that step. Holds the optimizer state and the step count; not thread-safe.
 */
public final class UpdateStep {
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final WeightDecay decay;
    private final float[] state;
    private long step;

    /** A fresh run: zero optimizer state, step 0. */
    public UpdateStep(Optimizer optimizer, LearningRateSchedule schedule, WeightDecay decay, int parameterCount) {
        this(optimizer, schedule, decay, new float[optimizer.stateSize(parameterCount)], 0);
    }

    /** Continues from {@code state} (used in place, not copied) after {@code step} steps. */
    public UpdateStep(Optimizer optimizer, LearningRateSchedule schedule, WeightDecay decay, float[] state, long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step: " + step + " must be >= 0");
        }
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.decay = decay;
        this.state = state;
        this.step = step;
    }

    /**
     * The schedule of a run over {@code examples} training examples with {@code config}: its
     * total step count is {@code maxSteps}, or the steps per epoch times the epochs.
     */
    public static LearningRateSchedule schedule(TrainConfig config, int examples) {
        return LearningRateSchedule.parse(config.schedule(), (float) config.learningRate(), totalSteps(config, examples));
    }

    /** The batch a run uses: the configured size, at most the number of examples. */
    public static int batchSize(TrainConfig config, int examples) {
        return Math.max(1, Math.min(config.batchSize(), examples));
    }

    /**
     * The line saying that {@code config}'s batch is larger than the {@code examples} and so a
     * run takes them all in one batch ({@link #batchSize}), or null when it is not larger.
     */
    public static String batchNote(TrainConfig config, int examples) {
        int used = batchSize(config, examples);
        return used == config.batchSize() ? null : String.format(java.util.Locale.ROOT,
                "--batch %d is larger than the %,d training examples; using %,d", config.batchSize(), examples, used);
    }

    /** Optimizer steps per epoch: one per (last possibly short) batch. */
    public static long stepsPerEpoch(TrainConfig config, int examples) {
        int batch = batchSize(config, examples);
        return (examples + batch - 1) / batch;
    }

    public static long totalSteps(TrainConfig config, int examples) {
        return config.maxSteps() > 0 ? config.maxSteps() : stepsPerEpoch(config, examples) * config.epochs();
    }

    /**
     * Applies one step: {@code grads} (the mean gradient; it gains the decay term) updates
     * {@code params} in place.
     */
    public void apply(float[] params, float[] grads) {
        decay.apply(params, grads);
        step++;
        optimizer.update(params, grads, state, step, schedule.rate(step));
    }

    /** The rate of the last step taken (of step 1 before any). */
    public float rate() {
        return schedule.rate(Math.max(1, step));
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    /** The optimizer state, changed in place by {@link #apply}. */
    public float[] state() {
        return state;
    }

    public WeightDecay decay() {
        return decay;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }
}
