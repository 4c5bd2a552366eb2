package dev.kindling.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch's line of {@code metrics.jsonl}. Losses include the weight-decay penalty on the
 * training side only (the test loss is the data loss alone, comparable across runs).
 * {@code elapsedSeconds} counts training time since the run started, evaluation excluded.
 */
public record EpochMetrics(int epoch, long step, double trainLoss, double trainAccuracy,
                           double testLoss, double testAccuracy, double examplesPerSecond,
                           double elapsedSeconds, double learningRate) {

    /** The {@code metrics.jsonl} line, with the field names the command-line contract fixes. */
    public Map<String, Object> toJsonLine() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "epoch");
        line.put("epoch", epoch);
        line.put("step", step);
        line.put("train_loss", trainLoss);
        line.put("train_accuracy", trainAccuracy);
        line.put("test_loss", testLoss);
        line.put("test_accuracy", testAccuracy);
        line.put("examples_per_second", examplesPerSecond);
        line.put("elapsed_seconds", elapsedSeconds);
        line.put("learning_rate", learningRate);
        return line;
    }
}
