package dev.kindling.train;

/**
 * One epoch's line of {@code metrics.jsonl}. Losses include the weight-decay penalty on the
 * training side only (the test loss is the data loss alone, comparable across runs).
 * {@code elapsedSeconds} counts training time since the run started, evaluation excluded.
 */
public record EpochMetrics(int epoch, long step, double trainLoss, double trainAccuracy,
                           double testLoss, double testAccuracy, double examplesPerSecond,
                           double elapsedSeconds, double learningRate) {
}
