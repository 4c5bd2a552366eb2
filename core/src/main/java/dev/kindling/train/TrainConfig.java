package dev.kindling.train;

import dev.kindling.KindlingException;
import dev.kindling.config.Defaults;
import dev.kindling.optim.Optimizers;

/**
 * The knobs of a training loop, validated where they are set. Defaults live in
 * {@link #defaults()} and nowhere else.
 *
 * @param maxSteps         stop after this many optimizer steps (0: run every epoch)
 * @param patience         stop when the evaluation loss has not improved for this many
 *                         epochs (0: never stop early)
 * @param trainEvalSamples train loss/accuracy are measured in inference mode on at most this
 *                         many training examples (a fixed seeded sample), to bound the cost
 * @param shards           one machine only: sample as a run on this many Spark shards does
 *                         ({@link ShardedOrder}); 0 for the unsharded epoch order
 */
public record TrainConfig(int batchSize, int epochs, long seed, double learningRate, String schedule,
                          double weightDecay, int patience, long maxSteps, int trainEvalSamples, int shards) {

    public TrainConfig(int batchSize, int epochs, long seed, double learningRate, String schedule,
                       double weightDecay, int patience, long maxSteps, int trainEvalSamples) {
        this(batchSize, epochs, seed, learningRate, schedule, weightDecay, patience, maxSteps, trainEvalSamples, 0);
    }

    public TrainConfig {
        if (batchSize <= 0) {
            throw new KindlingException("batch: " + batchSize + " must be > 0");
        }
        if (epochs <= 0) {
            throw new KindlingException("epochs: " + epochs + " must be > 0");
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new KindlingException("lr: " + learningRate + " must be a finite number > 0");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new KindlingException("weight-decay: " + weightDecay + " must be a finite number >= 0");
        }
        if (patience < 0) {
            throw new KindlingException("patience: " + patience + " must be >= 0");
        }
        if (maxSteps < 0) {
            throw new KindlingException("max-steps: " + maxSteps + " must be >= 0");
        }
        if (trainEvalSamples <= 0) {
            throw new KindlingException("train-eval-samples: " + trainEvalSamples + " must be > 0");
        }
        if (shards < 0) {
            throw new KindlingException("shards: " + shards + " must be >= 0");
        }
        schedule = schedule == null ? "constant" : schedule;
    }

    public static TrainConfig defaults() {
        return new TrainConfig(Defaults.BATCH, Defaults.EPOCHS, Defaults.SEED, Double.parseDouble(Float.toString(Optimizers.defaultLearningRate(Defaults.OPTIMIZER))), Defaults.SCHEDULE,
                0, 0, 0, 10_000);
    }

    public TrainConfig withBatchSize(int v) {
        return new TrainConfig(v, epochs, seed, learningRate, schedule, weightDecay, patience, maxSteps, trainEvalSamples, shards);
    }

    public TrainConfig withEpochs(int v) {
        return new TrainConfig(batchSize, v, seed, learningRate, schedule, weightDecay, patience, maxSteps, trainEvalSamples, shards);
    }

    public TrainConfig withSeed(long v) {
        return new TrainConfig(batchSize, epochs, v, learningRate, schedule, weightDecay, patience, maxSteps, trainEvalSamples, shards);
    }

    public TrainConfig withLearningRate(double v) {
        return new TrainConfig(batchSize, epochs, seed, v, schedule, weightDecay, patience, maxSteps, trainEvalSamples, shards);
    }

    public TrainConfig withSchedule(String v) {
        return new TrainConfig(batchSize, epochs, seed, learningRate, v, weightDecay, patience, maxSteps, trainEvalSamples, shards);
    }

    public TrainConfig withWeightDecay(double v) {
        return new TrainConfig(batchSize, epochs, seed, learningRate, schedule, v, patience, maxSteps, trainEvalSamples, shards);
    }

    public TrainConfig withPatience(int v) {
        return new TrainConfig(batchSize, epochs, seed, learningRate, schedule, weightDecay, v, maxSteps, trainEvalSamples, shards);
    }

    public TrainConfig withMaxSteps(long v) {
        return new TrainConfig(batchSize, epochs, seed, learningRate, schedule, weightDecay, patience, v, trainEvalSamples, shards);
    }

    public TrainConfig withShards(int v) {
        return new TrainConfig(batchSize, epochs, seed, learningRate, schedule, weightDecay, patience, maxSteps,
                trainEvalSamples, v);
    }

    public TrainConfig withTrainEvalSamples(int v) {
        return new TrainConfig(batchSize, epochs, seed, learningRate, schedule, weightDecay, patience, maxSteps, v, shards);
    }
}
