package dev.kindling.train;

/** Progress callbacks of a {@link Trainer}; both default to doing nothing. */
public interface TrainListener {

    /** After each optimizer step, with the batch's mean data loss. */
    default void onStep(long step, double batchLoss) {
    }

    default void onEpoch(EpochMetrics metrics) {
    }
}
