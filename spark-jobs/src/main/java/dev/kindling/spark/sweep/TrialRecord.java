package dev.kindling.spark.sweep;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.History;
import java.util.List;
import java.util.Map;

/**
 * What a sweep keeps of one finished trial, written as {@code OUT/trials/ID.json}: its values,
 * how long it trained and its validation results per epoch. The file exists only once the trial
 * is done (written under a temporary name, then renamed), so a rerun skips exactly those.
 *
 * @param id      the trial's id, with the rung's epochs under successive halving (t003-e4)
 * @param trial   the trial's number, from 1
 * @param rung    the rung, from 0 (0 without successive halving)
 * @param error   why the trial stopped (it diverged), ranked last; null for a trial that finished
 * @param curve   per epoch: the training loss and accuracy, and the loss and accuracy on the
 *                validation examples held out from the training data
 */
public record TrialRecord(String id, int trial, int rung, Map<String, Object> params, int epochs, String mode,
                          @JsonProperty("validation_accuracy") double validationAccuracy,
                          @JsonProperty("validation_loss") double validationLoss,
                          @JsonProperty("train_accuracy") double trainAccuracy,
                          @JsonProperty("train_loss") double trainLoss,
                          List<Epoch> curve, double seconds, @JsonProperty("finished_at") String finishedAt,
                          String error) {

    public record Epoch(int epoch, @JsonProperty("train_loss") double trainLoss,
                        @JsonProperty("train_accuracy") double trainAccuracy,
                        @JsonProperty("validation_loss") double validationLoss,
                        @JsonProperty("validation_accuracy") double validationAccuracy) {
    }

    /** A record from a history whose "test" side is the validation set. */
    static TrialRecord of(String id, int trial, int rung, Map<String, Object> params, String mode, History h,
                          double seconds) {
        List<Epoch> curve = h.epochs().stream().map(m -> new Epoch(m.epoch(), m.trainLoss(), m.trainAccuracy(),
                m.testLoss(), m.testAccuracy())).toList();
        EpochMetrics last = h.last();
        return new TrialRecord(id, trial, rung, params, last.epoch(), mode, last.testAccuracy(), last.testLoss(),
                last.trainAccuracy(), last.trainLoss(), curve, seconds, java.time.Instant.now().toString(), null);
    }

    /** A trial that could not finish, e.g. because its training diverged. */
    static TrialRecord failed(String id, int trial, int rung, Map<String, Object> params, int epochs, String mode,
                              String error, double seconds) {
        return new TrialRecord(id, trial, rung, params, epochs, mode, 0, Double.NaN, 0, Double.NaN, List.of(),
                seconds, java.time.Instant.now().toString(), error);
    }
}
