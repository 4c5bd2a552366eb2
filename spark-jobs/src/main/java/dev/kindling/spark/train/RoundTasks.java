package dev.kindling.spark.train;

import dev.kindling.data.Augmentation;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.train.Evaluation;
import dev.kindling.train.Trainer;
import dev.kindling.train.UpdateStep;
import java.util.SplittableRandom;
import org.apache.spark.broadcast.Broadcast;

/**
 * What one task does with its shard in a round: the functions, and the task classes
 * ({@link SyncTask}, {@link LocalTask}, {@link EvaluationTask}) that carry their small
 * arguments to the executors, never the driver's trainer.
 *
 * <p>A partial result holds copies, never this thread's own network arrays or buffers: the
 * thread's worker reuses those for its next task, and a result must not change once it has
 * been returned, whenever Spark gets round to serializing it.
 */
public final class RoundTasks {
    static final int EVALUATION_BATCH = 500;

    private RoundTasks() {
    }

    /** The dropout noise of one shard in one round, fixed by the run's seed. */
    static SplittableRandom noise(long seed, long round, int shard) {
        return new SplittableRandom((seed ^ 0x9E3779B97F4A7C15L) + round * 0xBF58476D1CE4E5B9L + shard * 0x94D049BB133111EBL);
    }

    /**
     * Sync mode: the gradient of the summed loss (scale 1) over the shard's examples
     * {@code local}, and the network state after the batch weighted by its example count.
     */
    static PartialSum gradient(Dataset shard, int[] local, ParameterBlock block, String specJson, String backend,
                               SplittableRandom noise) {
        return gradient(shard, local, null, block, specJson, backend, noise);
    }

    /** {@link #gradient} with the examples augmented from {@code augmentation}'s streams (none when null). */
    static PartialSum gradient(Dataset shard, int[] local, Augmentation.Key augmentation, ParameterBlock block,
                               String specJson, String backend, SplittableRandom noise) {
        if (local.length == 0) {
            return PartialSum.empty();
        }
        long start = System.nanoTime();
        Worker w = Worker.get(specJson, backend);
        w.load(block);
        Network net = w.net;
        int b = w.fill(shard, local, augmentation);
        PartialSum s = new PartialSum();
        s.loss = net.gradient(w.x(), w.target(), b, 1f, noise);
        s.correct = net.correct(w.labels(), b);
        s.examples = b;
        s.shards = 1;
        s.vector = net.gradients().clone();
        s.state = scaled(net.state(), b);
        s.kernels = w.kernels;
        s.computeNanos = System.nanoTime() - start;
        return s;
    }

    /**
     * Local mode: up to {@code steps.length} optimizer steps on the shard's own copy of the
     * parameters and optimizer state, step j on the examples {@code steps[j]} (a step with no
     * examples is skipped), starting after global step {@code firstStep}. Returns the resulting
     * parameters, network state and optimizer state, for averaging over the shards.
     */
    static PartialSum localSteps(Dataset shard, int[][] steps, ParameterBlock block, String specJson, String backend,
                                 StepSettings settings, long firstStep, SplittableRandom noise) {
        return localSteps(shard, steps, null, block, specJson, backend, settings, firstStep, noise);
    }

    /** {@link #localSteps} with step j's examples augmented from {@code augmentation[j]} (none when null). */
    static PartialSum localSteps(Dataset shard, int[][] steps, Augmentation.Key[] augmentation, ParameterBlock block,
                                 String specJson, String backend, StepSettings settings, long firstStep,
                                 SplittableRandom noise) {
        long start = System.nanoTime();
        Worker w = Worker.get(specJson, backend);
        w.load(block);
        Network net = w.net;
        float[] optimizerState = w.optimizerState(block.optimizerState);
        int[] weightRanges = net.weightRanges();
        PartialSum s = new PartialSum();
        for (int j = 0; j < steps.length; j++) {
            if (steps[j].length == 0) {
                continue;
            }
            int b = w.fill(shard, steps[j], augmentation == null ? null : augmentation[j]);
            double loss = net.gradient(w.x(), w.target(), b, 1f / b, noise);
            s.loss += loss;
            s.correct += net.correct(w.labels(), b);
            s.examples += b;
            UpdateStep update = settings.updateStep(weightRanges, optimizerState, firstStep + j);
            update.apply(net.parameters(), net.gradients());
        }
        s.shards = 1;
        s.vector = net.parameters().clone();
        s.state = net.state().clone();
        s.optimizerState = optimizerState.clone();
        s.kernels = w.kernels;
        s.computeNanos = System.nanoTime() - start;
        return s;
    }

    /** Summed loss and correct count over the shard's examples {@code local} (all when null). */
    static EvaluationSum evaluate(Dataset shard, int[] local, ParameterBlock block, String specJson, String backend) {
        Dataset data = local == null ? shard : shard.select(local);
        if (data.size() == 0) {
            return new EvaluationSum();
        }
        Worker w = Worker.get(specJson, backend);
        w.load(block);
        Evaluation e = Trainer.evaluate(w.net, data, EVALUATION_BATCH);
        return new EvaluationSum(e.loss() * e.examples(), Math.round(e.accuracy() * e.examples()), e.examples());
    }

    private static float[] scaled(float[] v, float factor) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * factor;
        }
        return out;
    }

    /** Sync mode's task: the summed gradient of the shard's part of the batch. */
    static final class SyncTask extends ShardTask<PartialSum> {
        private static final long serialVersionUID = 1L;
        private final BatchSlice batch;
        private final Broadcast<ParameterBlock> block;
        private final String spec;
        private final String backend;
        private final long seed;
        private final long round;

        SyncTask(BatchSlice batch, Broadcast<ParameterBlock> block, String spec, String backend, long seed, long round) {
            this.batch = batch;
            this.block = block;
            this.spec = spec;
            this.backend = backend;
            this.seed = seed;
            this.round = round;
        }

        @Override
        PartialSum run(int p, Dataset shard) {
            return RoundTasks.gradient(shard, batch.local(p, shard.size()), batch.augmentation(p), block.value(), spec,
                    backend,
                    RoundTasks.noise(seed, round, p))
                    .checkFinite(p, "gradient");
        }
    }

    /** Local mode's task: the shard's local steps. */
    static final class LocalTask extends ShardTask<PartialSum> {
        private static final long serialVersionUID = 1L;
        private final BatchSlice[] steps;
        private final Broadcast<ParameterBlock> block;
        private final String spec;
        private final String backend;
        private final StepSettings local;
        private final long firstStep;
        private final long seed;
        private final long round;

        LocalTask(BatchSlice[] steps, Broadcast<ParameterBlock> block, String spec, String backend,
                  StepSettings local, long firstStep, long seed, long round) {
            this.steps = steps;
            this.block = block;
            this.spec = spec;
            this.backend = backend;
            this.local = local;
            this.firstStep = firstStep;
            this.seed = seed;
            this.round = round;
        }

        @Override
        PartialSum run(int p, Dataset shard) {
            int[][] mine = new int[steps.length][];
            Augmentation.Key[] keys = new Augmentation.Key[steps.length];
            for (int j = 0; j < steps.length; j++) {
                mine[j] = steps[j].local(p, shard.size());
                keys[j] = steps[j].augmentation(p);
            }
            return RoundTasks.localSteps(shard, mine, keys, block.value(), spec, backend, local, firstStep,
                    RoundTasks.noise(seed, round, p)).checkFinite(p, "parameters");
        }
    }

    /** Evaluation's task: summed loss and hits over the shard (or its examples in {@code perShard}). */
    static final class EvaluationTask extends ShardTask<EvaluationSum> {
        private static final long serialVersionUID = 1L;
        private final int[][] perShard;
        private final Broadcast<ParameterBlock> block;
        private final String spec;
        private final String backend;

        EvaluationTask(int[][] perShard, Broadcast<ParameterBlock> block, String spec, String backend) {
            this.perShard = perShard;
            this.block = block;
            this.spec = spec;
            this.backend = backend;
        }

        @Override
        EvaluationSum run(int p, Dataset shard) {
            return RoundTasks.evaluate(shard, perShard == null ? null : perShard[p], block.value(), spec, backend);
        }
    }
}
