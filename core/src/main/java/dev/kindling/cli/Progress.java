package dev.kindling.cli;

import dev.kindling.train.EpochMetrics;
import java.util.Locale;

/** The console line printed after each epoch, with throughput and the time left. */
final class Progress {
    private Progress() {
    }

    static String epochLine(EpochMetrics m, int totalEpochs) {
        double perEpoch = m.elapsedSeconds() / m.epoch();
        double eta = perEpoch * Math.max(0, totalEpochs - m.epoch());
        return String.format(Locale.ROOT,
                "epoch %d/%d  train loss %.4f acc %.4f  test loss %.4f acc %.4f  %,.0f ex/s  %.1fs  eta %.0fs",
                m.epoch(), totalEpochs, m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy(),
                m.examplesPerSecond(), m.elapsedSeconds(), eta);
    }
}
