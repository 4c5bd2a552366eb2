package dev.kindling.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The epoch loop every trainer shares, on one machine or on Spark: rounds until the epoch's
 * batches are used up (or {@code maxSteps} is reached), evaluation at each
 * epoch's end, early stopping on the monitored loss (the test loss, else the train loss), and
 * the training time that excludes evaluation. What a round is (one batch here, one or several
 * global batches on Spark), which examples a batch holds (its epoch order or sampler) and what
 * happens after a round (checkpoints) is the trainer's.
 */
public final class EpochLoop {

    /** What a trainer does inside the loop. */
    public interface Rounds {
        /**
         * Takes the round that starts at batch {@code position} of {@code epoch}, applying its
         * update; a diverged round throws, its update not applied.
         */
        Round run(int epoch, long position);

        /** The model's metrics now, at the end of {@code epoch}. */
        EpochMetrics evaluate(int epoch, double examplesPerSecond, double elapsedSeconds);
    }

    /**
     * Rounds that are told where the loop stands after each one, to checkpoint there. A separate
     * type so that a trainer that keeps no checkpoints does not get a {@link Position} per
     * round: the one-machine loop must allocate nothing per batch.
     */
    public interface CheckpointedRounds extends Rounds {
        /** After every round, with where the loop stands. */
        void afterRound(Position at);
    }

    /** A round's extent: the global batches it covered and the examples it trained on. */
    public record Round(int batches, long examples) {
    }

    /**
     * Where the loop stands after a round.
     *
     * @param position       batches of {@code epoch} done
     * @param epochEnd       whether the round ended the epoch (or the run, at {@code maxSteps})
     * @param elapsedSeconds training time so far, evaluation excluded
     * @param bestLoss       the best monitored loss so far (+infinity before the first epoch)
     */
    public record Position(int epoch, long position, boolean epochEnd, double elapsedSeconds, double bestLoss,
                           int bestEpoch) {
    }

    /** Where a run starts: {@link #FRESH}, or the state a checkpoint recorded. */
    public record Start(int epoch, long position, double elapsedSeconds, double bestLoss, int bestEpoch) {
        public static final Start FRESH = new Start(1, 0, 0, Double.POSITIVE_INFINITY, 0);
    }

    private final TrainConfig config;
    private final int examples;
    private final long stepsPerEpoch;
    private final LongSupplier step;

    /**
     * @param step the optimizer steps taken so far, read to stop at {@code config.maxSteps()}
     */
    public EpochLoop(TrainConfig config, int examples, LongSupplier step) {
        this.config = config;
        this.examples = examples;
        this.stepsPerEpoch = UpdateStep.stepsPerEpoch(config, examples);
        this.step = step;
    }

    public long stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** Whether the run has taken its {@code maxSteps} steps (never, where that is 0). */
    public boolean done() {
        return config.maxSteps() > 0 && step.getAsLong() >= config.maxSteps();
    }

    /** Steps left before {@code maxSteps}; unbounded where that is 0. */
    public long remainingSteps() {
        return config.maxSteps() > 0 ? config.maxSteps() - step.getAsLong() : Long.MAX_VALUE;
    }

    /** Runs from {@code from} to the last epoch, an early stop or {@code maxSteps}. */
    public History run(Start from, Rounds rounds, Consumer<EpochMetrics> onEpoch) {
        List<EpochMetrics> epochs = new ArrayList<>();
        double trainingNanos = from.elapsedSeconds() * 1e9;
        double bestLoss = from.bestLoss();
        int bestEpoch = from.bestEpoch();
        for (int epoch = from.epoch(); epoch <= config.epochs() && !done(); epoch++) {
            long position = epoch == from.epoch() ? from.position() : 0;
            long epochStart = System.nanoTime();
            long seen = 0;
            while (position < stepsPerEpoch && !done()) {
                Round r = rounds.run(epoch, position);
                position += r.batches();
                seen += r.examples();
                boolean epochEnd = position >= stepsPerEpoch || done();
                boolean stop = false;
                double elapsed = trainingNanos + System.nanoTime() - epochStart;
                if (epochEnd) {
                    double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
                    trainingNanos = elapsed;
                    EpochMetrics m = rounds.evaluate(epoch, seen / Math.max(epochSeconds, 1e-9), trainingNanos / 1e9);
                    epochs.add(m);
                    if (onEpoch != null) {
                        onEpoch.accept(m);
                    }
                    double monitored = Double.isNaN(m.testLoss()) ? m.trainLoss() : m.testLoss();
                    if (monitored < bestLoss) {
                        bestLoss = monitored;
                        bestEpoch = epoch;
                    } else if (config.patience() > 0 && epoch - bestEpoch >= config.patience()) {
                        stop = true;
                    }
                }
                if (rounds instanceof CheckpointedRounds c) {
                    c.afterRound(new Position(epoch, position, epochEnd, elapsed / 1e9, bestLoss, bestEpoch));
                }
                if (stop) {
                    return new History(List.copyOf(epochs), bestEpoch, epoch < config.epochs());
                }
            }
        }
        return new History(List.copyOf(epochs), bestEpoch, false);
    }
}
