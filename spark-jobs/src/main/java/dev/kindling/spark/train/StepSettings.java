package dev.kindling.spark.train;

import dev.kindling.io.Json;
import dev.kindling.optim.LearningRateSchedule;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.optim.WeightDecay;
import dev.kindling.train.SliceUpdate;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.UpdateStep;
import java.io.Serializable;

/**
 * What a task needs to take optimizer steps itself (local mode, or a slice of the parameters in a
 * collective segment), taken from the run's resolved
 * settings: the optimizer as its config JSON, the L2 decay, and the schedule's definition. A
 * serializable copy (the settings' records are not), small, rebuilt into an {@link UpdateStep}
 * on the executor.
 */
public final class StepSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String optimizerJson;
    private final float weightDecay;
    private final String schedule;
    private final float learningRate;
    private final long totalSteps;
    /** Built once per task from the fields above, then reused for each of its local steps. */
    private transient Optimizer optimizer;
    private transient LearningRateSchedule rates;
    private transient WeightDecay decay;

    /** The update rule of {@code optimizer} and {@code train} (decay, schedule, rate) over {@code totalSteps}. */
    StepSettings(OptimizerConfig optimizer, TrainConfig train, long totalSteps) {
        this.optimizerJson = Json.line(optimizer);
        this.weightDecay = (float) train.weightDecay();
        this.schedule = train.schedule();
        this.learningRate = (float) train.learningRate();
        this.totalSteps = totalSteps;
    }

    /** An update step over {@code state} (used in place) that continues after {@code step} steps. */
    UpdateStep updateStep(int[] weightRanges, float[] state, long step) {
        if (optimizer == null) {
            optimizer = Optimizers.create(optimizerConfig(), weightRanges);
            rates = LearningRateSchedule.parse(schedule, learningRate, totalSteps);
            decay = new WeightDecay(weightDecay, weightRanges);
        }
        return new UpdateStep(optimizer, rates, decay, state, step);
    }

    /**
     * The update of the parameters {@code [from, to)} alone, with their slice of {@code wholeState},
     * continuing after {@code step} steps.
     */
    SliceUpdate sliceUpdate(int parameters, int[] weightRanges, int from, int to, float[] wholeState, long step) {
        return new SliceUpdate(optimizerConfig(), LearningRateSchedule.parse(schedule, learningRate, totalSteps),
                weightDecay, parameters, weightRanges, from, to, wholeState, step);
    }

    private OptimizerConfig optimizerConfig() {
        try {
            return Json.JSON.readValue(optimizerJson, OptimizerConfig.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a task received an unreadable optimizer config", e);
        }
    }
}
