package dev.kindling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import dev.kindling.optim.Optimizers;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainerTest {
    static Dataset train;
    static Dataset test;

    @BeforeAll
    static void load() {
        IdxDirectory dir = IdxDirectory.open(dev.kindling.TestData.fashionMnist());
        train = dir.loadTrain().subset(0, 3000);
        test = dir.loadTest().subset(0, 1000);
    }

    static Network mlp(String backend, long seed) {
        Network net = Network.build(NetworkSpec.mlp("784-64-10", "he", 0), Backends.create(backend));
        net.initialize(seed);
        return net;
    }

    static Trainer trainer(Network net, String optimizer, TrainConfig config) {
        return new Trainer(net, Optimizers.create(optimizer, net.weightRanges()), config);
    }

    @Test
    void learnsFashionMnistSubsetAndReportsEveryEpoch() {
        Network net = mlp("auto", 1);
        TrainConfig config = TrainConfig.defaults().withEpochs(3).withLearningRate(0.001);
        List<EpochMetrics> seen = new java.util.ArrayList<>();
        History h = trainer(net, "adam", config).fit(train, test, new TrainListener() {
            @Override
            public void onEpoch(EpochMetrics m) {
                seen.add(m);
            }
        });
        assertEquals(3, h.epochs().size());
        assertEquals(h.epochs(), seen);
        assertTrue(h.last().testAccuracy() > 0.72, "test accuracy " + h.last().testAccuracy());
        assertTrue(h.last().trainLoss() < h.epochs().get(0).trainLoss());
        assertEquals(90, h.last().step()); // 3000 / 100 per epoch
        assertTrue(h.last().examplesPerSecond() > 0 && h.last().elapsedSeconds() > 0);
    }

    @Test
    void sameSeedSameRun() {
        TrainConfig config = TrainConfig.defaults().withEpochs(1).withSeed(5);
        NetworkSpec spec = NetworkSpec.mlp("784-32-10", "he", 0.3); // dropout noise is seeded too
        Network a = Network.build(spec, Backends.create("java"));
        Network b = Network.build(spec, Backends.create("java"));
        a.initialize(5);
        b.initialize(5);
        History ha = trainer(a, "adam", config).fit(train, test, null);
        History hb = trainer(b, "adam", config).fit(train, test, null);
        assertArrayEquals(a.parameters(), b.parameters());
        assertEquals(ha.last().testLoss(), hb.last().testLoss());
    }

    @Test
    void blasAndJavaBackendsTrainToTheSameParameters() {
        TrainConfig config = TrainConfig.defaults().withEpochs(1).withMaxSteps(20);
        NetworkSpec cnn = new NetworkSpec(new Shape(1, 28, 28), List.of(
                new LayerSpec.Conv(4, 5, 1, 0, "he"), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, null),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10, "he")), "softmax-cross-entropy");
        for (NetworkSpec spec : List.of(NetworkSpec.mlp("784-50-10", "he", 0), cnn)) {
            Network blas = Network.build(spec, Backends.create("blas"));
            Network java = Network.build(spec, Backends.create("java"));
            blas.initialize(3);
            java.initialize(3);
            trainer(blas, "sgd", config.withLearningRate(0.05)).fit(train, null, null);
            trainer(java, "sgd", config.withLearningRate(0.05)).fit(train, null, null);
            double maxDiff = 0;
            for (int i = 0; i < blas.parameters().length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(blas.parameters()[i] - java.parameters()[i]));
            }
            assertTrue(maxDiff < 1e-4, "max parameter difference " + maxDiff);
        }
    }

    @Test
    void stopsEarlyWhenTheEvaluationLossStopsImproving() {
        // random labels: training memorises, evaluation on other random labels only gets worse
        Dataset noisyTrain = relabel(train.subset(0, 200), 1);
        Dataset noisyEval = relabel(train.subset(200, 400), 2);
        Network net = mlp("auto", 1);
        TrainConfig config = TrainConfig.defaults().withEpochs(50).withPatience(2).withLearningRate(0.01);
        History h = trainer(net, "adam", config).fit(noisyTrain, noisyEval, null);
        assertTrue(h.stoppedEarly());
        assertEquals(h.bestEpoch() + 2, h.epochs().size());
    }

    @Test
    void divergenceStopsWithTheStepNamed() {
        // squared error grows without bound when the steps overshoot, unlike softmax
        NetworkSpec spec = new NetworkSpec(Shape.vector(784), List.of(new LayerSpec.Dense(32, "he"),
                new LayerSpec.Tanh(), new LayerSpec.Dense(10, "he")), "identity-mse");
        Network net = Network.build(spec, Backends.create("auto"));
        net.initialize(1);
        TrainConfig config = TrainConfig.defaults().withEpochs(1).withLearningRate(100);
        KindlingException e = assertThrows(KindlingException.class,
                () -> trainer(net, "sgd", config).fit(train, null, null));
        assertTrue(e.getMessage().contains("diverged") && e.getMessage().contains("step"), e.getMessage());
    }

    @Test
    void weightDecayShrinksTheWeightsAndAddsItsPenalty() {
        TrainConfig config = TrainConfig.defaults().withEpochs(2).withLearningRate(0.05);
        Network plain = mlp("auto", 4);
        Network decayed = mlp("auto", 4);
        History hp = trainer(plain, "sgd", config).fit(train, null, null);
        History hd = trainer(decayed, "sgd", config.withWeightDecay(0.1)).fit(train, null, null);
        assertTrue(norm(decayed) < 0.9 * norm(plain), norm(decayed) + " vs " + norm(plain));
        assertTrue(hd.last().trainLoss() > hp.last().trainLoss());
    }

    @Test
    void cosineScheduleLowersTheRate() {
        Network net = mlp("auto", 1);
        TrainConfig config = TrainConfig.defaults().withEpochs(3).withSchedule("cosine").withLearningRate(0.01);
        History h = trainer(net, "sgd", config).fit(train, null, null);
        assertTrue(h.last().learningRate() < 0.001, "rate at the end " + h.last().learningRate());
    }

    @Test
    void dataOfAnotherShapeIsRefused() {
        Network net = Network.build(NetworkSpec.mlp("100-10", "he", 0), Backends.create("loop"));
        KindlingException e = assertThrows(KindlingException.class,
                () -> trainer(net, "sgd", TrainConfig.defaults()).fit(train, null, null));
        assertTrue(e.getMessage().contains("1x28x28") && e.getMessage().contains("100"), e.getMessage());
    }

    private static double norm(Network net) {
        double s = 0;
        for (float v : net.parameters()) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    private static Dataset relabel(Dataset d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] labels = new byte[d.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) rng.nextInt(10);
        }
        return new Dataset("random labels", d.channels(), d.height(), d.width(), 10, d.pixels(), labels);
    }
}
