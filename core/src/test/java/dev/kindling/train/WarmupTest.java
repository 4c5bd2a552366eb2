package dev.kindling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.Backends;
import dev.kindling.data.Augmentation;
import dev.kindling.data.Dataset;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Normalization;
import dev.kindling.nn.Shape;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WarmupTest {

    private static final TrainConfig CONFIG = TrainConfig.defaults().withBatchSize(20).withEpochs(2).withSeed(7)
            .withLearningRate(0.01);

    @Test
    void warmsUpByTrainingTheSameNetworkOnRandomExamples() {
        NetworkSpec spec = NetworkSpec.mlp("64-16-10", "he", 0.1);
        Warmup warmup = Warmup.start(spec, "java", OptimizerConfig.of("adam"), CONFIG);
        warmup.await();
        // all of them, unless a loaded machine ran it past its time budget
        assertTrue(warmup.steps() > 0 && warmup.steps() <= Warmup.STEPS, "steps: " + warmup.steps());
    }

    @Test
    void warmsUpAConvolutionalNetworkWithAutomaticNormalisationAndAugmentation() {
        NetworkSpec spec = new NetworkSpec(new Shape(1, 8, 8), List.of(
                new LayerSpec.Conv(4, 3, 1, 1, "he"), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10, "he")), null, Normalization.AUTO,
                new Augmentation(new Augmentation.RandomCrop(1), true, 0.1));
        Warmup warmup = Warmup.start(spec, "loop", OptimizerConfig.of("momentum"), CONFIG.withShards(3));
        warmup.await();
        assertTrue(warmup.steps() > 0, "steps: " + warmup.steps());
    }

    @Test
    void aWarmUpThatCannotRunEndsQuietly() {
        Warmup warmup = Warmup.start(NetworkSpec.mlp("64-16-10", "he", 0), "no-such-backend",
                OptimizerConfig.of("adam"), CONFIG);
        warmup.await();
        assertEquals(0, warmup.steps());
    }

    @Test
    void trainingAfterAWarmUpIsTrainingWithout() {
        NetworkSpec spec = NetworkSpec.mlp("64-16-10", "he", 0.2);
        Dataset data = random(300, 64, 10, 11);
        float[] cold = train(spec, data);
        Warmup.start(spec, "java", OptimizerConfig.of("adam"), CONFIG).await();
        assertArrayEquals(cold, train(spec, data));
    }

    private static float[] train(NetworkSpec spec, Dataset data) {
        Network net = Network.build(spec, Backends.create("java"));
        net.initialize(CONFIG.seed());
        new Trainer(net, Optimizers.create("adam", net.weightRanges()), CONFIG).fit(data, null, null);
        return net.parameters().clone();
    }

    static Dataset random(int n, int features, int classes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[n * features];
        byte[] labels = new byte[n];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) random.nextInt(classes);
        }
        return new Dataset("random", 1, 1, features, classes, pixels, labels);
    }
}
