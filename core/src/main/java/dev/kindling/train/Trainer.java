package dev.kindling.train;

import dev.kindling.KindlingException;
import dev.kindling.data.Augmentation;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.nn.Shape;
import dev.kindling.optim.LearningRateSchedule;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.WeightDecay;
import java.util.SplittableRandom;

/**
 * Single-machine mini-batch training: seeded shuffling each epoch, one optimizer step per
 * batch (weight decay applied first, in one place), evaluation on the training sample and the
 * evaluation set after each epoch, optional early stopping. The same seed gives the same run.
 */
public final class Trainer {
    private final Network net;
    private final Optimizer optimizer;
    private final TrainConfig config;
    private final float[] optimizerState;
    private long step;

    public Trainer(Network net, Optimizer optimizer, TrainConfig config) {
        this.net = net;
        this.optimizer = optimizer;
        this.config = config;
        this.optimizerState = new float[optimizer.stateSize(net.parameters().length)];
    }

    /** Optimizer state, to checkpoint or average; changed in place by training. */
    public float[] optimizerState() {
        return optimizerState;
    }

    public long step() {
        return step;
    }

    public History fit(Dataset given, Dataset eval, TrainListener listener) {
        checkFits(net, given, "training data");
        if (eval != null) {
            checkFits(net, eval, "evaluation data");
        }
        // one-hot targets are rows as wide as the outputs: fewer classes than outputs would shift them
        Dataset train = given.withClasses(net.outputCount());
        int n = train.size();
        int batch = UpdateStep.batchSize(config, n);
        int features = train.featureCount();
        int classes = net.outputCount();
        LearningRateSchedule schedule = UpdateStep.schedule(config, n);
        WeightDecay decay = new WeightDecay((float) config.weightDecay(), net.weightRanges());
        UpdateStep update = new UpdateStep(optimizer, schedule, decay, optimizerState, step);

        float[] x = new float[batch * features];
        float[] t = new float[batch * classes];
        int[] labels = new int[batch];
        SplittableRandom noise = new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
        Dataset trainSample = sample(train, config.trainEvalSamples(), config.seed());
        float[] params = net.parameters();
        float[] grads = net.gradients();
        LossBound bound = new LossBound();
        EpochLoop loop = new EpochLoop(config, n, () -> step);
        // the unsharded order is replayed epoch by epoch; the sharded one is fixed by the epoch alone
        ShardedOrder sharded = config.shards() > 0
                ? new ShardedOrder(ShardedOrder.contiguousSizes(n, config.shards()), batch) : null;
        EpochOrder orders = sharded == null ? new EpochOrder(n, config.seed()) : null;
        Augmentation augment = net.spec().augment();
        // an example's augmentation stream is fixed by (seed, epoch, shard, index in the shard), as on Spark
        int[] shardStarts = sharded == null ? new int[] {0} : starts(ShardedOrder.contiguousSizes(n, config.shards()));
        float[] scratch = augment == null ? null : new float[train.height() * train.width()];
        return loop.run(EpochLoop.Start.FRESH, new EpochLoop.Rounds() {
            // one batch of the full size, the round every step but an epoch's last returns
            private final EpochLoop.Round fullBatch = new EpochLoop.Round(1, batch);
            private int[] order;
            private int orderEpoch;

            @Override
            public EpochLoop.Round run(int epoch, long position) {
                if (orderEpoch != epoch) {
                    order = sharded != null ? sharded.epochOrder(config.seed(), epoch) : orders.next();
                    orderEpoch = epoch;
                }
                int from = (int) (position * batch);
                int to = Math.min(n, from + batch);
                int b = to - from;
                train.fillBatch(order, from, to, x, t, labels);
                if (augment != null) {
                    for (int k = 0; k < b; k++) {
                        int i = order[from + k];
                        int p = shardOf(shardStarts, i);
                        augment.apply(x, k * features, train.channels(), train.height(), train.width(),
                                new Augmentation.Key(config.seed(), epoch, p).of(i - shardStarts[p]), scratch);
                    }
                }
                double loss = net.gradient(x, t, b, 1f / b, noise) / b;
                String diverged = bound.check(loss);
                if (diverged != null) {
                    throw new KindlingException("training diverged: " + diverged + " at step " + (step + 1)
                            + " (epoch " + epoch + "); lower the learning rate (lr: " + config.learningRate() + ")");
                }
                update.apply(params, grads);
                step = update.step();
                if (listener != null) {
                    listener.onStep(step, loss);
                }
                return b == batch ? fullBatch : new EpochLoop.Round(1, b);
            }

            @Override
            public EpochMetrics evaluate(int epoch, double examplesPerSecond, double elapsedSeconds) {
                Evaluation onTrain = Trainer.evaluate(net, trainSample, batch);
                Evaluation onEval = eval == null ? new Evaluation(Double.NaN, Double.NaN, 0)
                        : Trainer.evaluate(net, eval, batch);
                return new EpochMetrics(epoch, step, onTrain.loss() + decay.penalty(params), onTrain.accuracy(),
                        onEval.loss(), onEval.accuracy(), examplesPerSecond, elapsedSeconds, update.rate());
            }
        }, listener == null ? null : listener::onEpoch);
    }

    /**
     * Refuses data the network cannot learn from: examples of another shape, or more classes than
     * outputs. The message names {@code what} and the data's file.
     */
    public static void checkFits(Network net, Dataset data, String what) {
        if (!net.spec().accepts(shapeOf(data))) {
            throw new KindlingException(what + " (" + data.source() + "): examples of shape " + shapeOf(data)
                    + " do not fit the network's input " + net.spec().input());
        }
        if (data.classes() > net.outputCount()) {
            throw new KindlingException(what + " (" + data.source() + "): " + data.classes()
                    + " classes but the network has " + net.outputCount() + " outputs");
        }
    }

    public static Shape shapeOf(Dataset data) {
        return new Shape(data.channels(), data.height(), data.width());
    }

    /** Mean data loss and accuracy in inference mode (no dropout, BatchNorm running stats). */
    public static Evaluation evaluate(Network net, Dataset data, int batch) {
        int n = data.size();
        if (n == 0) {
            return new Evaluation(Double.NaN, Double.NaN, 0);
        }
        batch = Math.min(batch, n);
        data = data.withClasses(net.outputCount()); // the targets' rows as wide as the outputs, as in fit
        float[] x = new float[batch * data.featureCount()];
        float[] t = new float[batch * net.outputCount()];
        int[] labels = new int[batch];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double loss = 0;
        long correct = 0;
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            data.fillBatch(order, from, to, x, t, labels);
            loss += net.forward(x, t, to - from, false, null);
            correct += net.correct(labels, to - from);
        }
        return new Evaluation(loss / n, (double) correct / n, n);
    }

    private static int[] starts(int[] sizes) {
        int[] starts = new int[sizes.length];
        for (int p = 1; p < sizes.length; p++) {
            starts[p] = starts[p - 1] + sizes[p - 1];
        }
        return starts;
    }

    /** The shard of contiguous shards starting at {@code starts} that holds example {@code i}. */
    private static int shardOf(int[] starts, int i) {
        int p = java.util.Arrays.binarySearch(starts, i);
        if (p < 0) {
            p = -p - 2;
        }
        while (p + 1 < starts.length && starts[p + 1] == i) { // skip empty shards starting at the same index
            p++;
        }
        return p;
    }

    private static Dataset sample(Dataset data, int limit, long seed) {
        if (data.size() <= limit) {
            return data;
        }
        return data.select(EpochOrder.sample(data.size(), limit, seed));
    }
}
