package dev.kindling.cli;

import dev.kindling.train.EpochMetrics;
import java.util.Locale;

/**
 * The console line printed after each epoch, with throughput, the training time so far (evaluation
 * excluded), the time left and the wall time since training started (evaluation included).
 */
final class Progress {
    private Progress() {
    }

    /** @param wallSeconds seconds since training started, evaluations included */
    static String epochLine(EpochMetrics m, int totalEpochs, double wallSeconds) {
        double perEpoch = m.elapsedSeconds() / m.epoch();
        double eta = perEpoch * Math.max(0, totalEpochs - m.epoch());
        return String.format(Locale.ROOT,
                "epoch %d/%d  train loss %.4f acc %.4f  test loss %.4f acc %.4f  %,.0f ex/s  %.1fs  eta %.0fs  wall %.1fs",
                m.epoch(), totalEpochs, m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy(),
                m.examplesPerSecond(), m.elapsedSeconds(), eta, wallSeconds);
    }
}
