package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.train.TrainConfig;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A task's partial result is its own: the thread's worker computes the next task's result in the
 * same network and buffers, and that must not change a result already handed back.
 */
public class RoundTasksTest {
    static final NetworkSpec SPEC = NetworkSpec.mlp("784-8-10", "he", 0);
    static final String JSON = Worker.json(SPEC);

    /** 20 random examples: two different batches give two different gradients. */
    static Dataset shard() {
        int n = 20;
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        Random random = new Random(5);
        random.nextBytes(pixels);
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) random.nextInt(10);
        }
        return new Dataset("random", 1, 28, 28, 10, pixels, labels);
    }

    static Network network() {
        Network net = Network.build(SPEC, Backends.create("auto"));
        net.initialize(3);
        return net;
    }

    @Test
    void aSyncResultIsNotChangedByTheNextGradientOfTheSameThread() {
        Dataset shard = shard();
        Network net = network();
        ParameterBlock block = new ParameterBlock(net.parameters(), net.state(), null);

        PartialSum first = RoundTasks.gradient(shard, new int[] {0, 1, 2, 3, 4}, block, JSON, "auto",
                new SplittableRandom(1));
        float[] firstVector = first.vector.clone();
        float[] firstState = first.state.clone();
        PartialSum second = RoundTasks.gradient(shard, new int[] {10, 11, 12}, block, JSON, "auto",
                new SplittableRandom(2));

        assertFalse(Arrays.equals(firstVector, second.vector), "the two batches' gradients differ");
        assertArrayEquals(firstVector, first.vector, "the first result's gradient is unchanged");
        assertArrayEquals(firstState, first.state, "the first result's state is unchanged");
    }

    @Test
    void aLocalResultIsNotChangedByTheNextStepsOfTheSameThread() {
        Dataset shard = shard();
        Network net = network();
        OptimizerConfig adam = OptimizerConfig.of("adam");
        Optimizer optimizer = Optimizers.create(adam, net.weightRanges());
        ParameterBlock block = new ParameterBlock(net.parameters(), net.state(),
                new float[optimizer.stateSize(net.parameters().length)]);
        StepSettings settings = new StepSettings(adam, TrainConfig.defaults().withLearningRate(0.01), 10);

        PartialSum first = RoundTasks.localSteps(shard, new int[][] {{0, 1, 2}, {3, 4, 5}}, block, JSON, "auto",
                settings, 0, new SplittableRandom(1));
        float[] firstVector = first.vector.clone();
        float[] firstState = first.state.clone();
        float[] firstOptimizerState = first.optimizerState.clone();
        PartialSum second = RoundTasks.localSteps(shard, new int[][] {{10, 11, 12}}, block, JSON, "auto",
                settings, 0, new SplittableRandom(2));

        assertFalse(Arrays.equals(firstVector, second.vector), "the two tasks' parameters differ");
        assertArrayEquals(firstVector, first.vector, "the first result's parameters are unchanged");
        assertArrayEquals(firstState, first.state, "the first result's state is unchanged");
        assertArrayEquals(firstOptimizerState, first.optimizerState, "the first result's optimizer state is unchanged");
    }
}
