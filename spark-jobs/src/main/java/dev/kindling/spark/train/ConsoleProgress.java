package dev.kindling.spark.train;

import dev.kindling.train.EpochMetrics;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The console side of a run: a line every few seconds with the rate and the time left, and one
 * per epoch with its metrics.
 */
public final class ConsoleProgress implements SparkTrainer.Listener {
    private static final long EVERY_NANOS = 3_000_000_000L;

    private final PrintWriter out;
    private final int epochs;
    private long totalRounds;
    private long firstRound;
    private long start;
    private long lastLine;
    private long examples;
    private double roundMs;
    private double computeMs;
    private long roundsSinceLine;

    ConsoleProgress(PrintWriter out, int epochs) {
        this.out = out;
        this.epochs = epochs;
    }

    @Override
    public void onStart(long round, long totalRounds) {
        this.totalRounds = totalRounds;
        this.firstRound = round;
        this.start = System.nanoTime();
        this.lastLine = start;
    }

    @Override
    public void onRound(RoundMetrics m) {
        examples += m.examples();
        roundMs += m.roundMs();
        computeMs += m.computeMs();
        roundsSinceLine++;
        long now = System.nanoTime();
        if (now - lastLine < EVERY_NANOS) {
            return;
        }
        double seconds = (now - start) / 1e9;
        long done = m.round() - firstRound;
        double eta = done == 0 ? 0 : seconds / done * Math.max(0, totalRounds - m.round());
        out.println(String.format(Locale.ROOT,
                "round %d/%d  epoch %d/%d  loss %.4f acc %.4f  %,.0f ex/s  round %.1f ms (compute %.1f)  eta %.0fs",
                m.round(), totalRounds, m.epoch(), epochs, m.loss(), m.accuracy(), examples / seconds,
                roundMs / roundsSinceLine, computeMs / roundsSinceLine, eta));
        lastLine = now;
        roundMs = 0;
        computeMs = 0;
        roundsSinceLine = 0;
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        double eta = m.elapsedSeconds() / m.epoch() * Math.max(0, epochs - m.epoch());
        out.println(String.format(Locale.ROOT,
                "epoch %d/%d  train loss %.4f acc %.4f  test loss %.4f acc %.4f  %,.0f ex/s  %.1fs  eta %.0fs",
                m.epoch(), epochs, m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy(),
                m.examplesPerSecond(), m.elapsedSeconds(), eta));
    }

    @Override
    public void onCheckpoint(Checkpoint c) {
        // quiet: a checkpoint per epoch would double the console output
    }
}
