package dev.kindling.spark.train;

import static dev.kindling.spark.Cli.assertRefused;
import static dev.kindling.spark.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.config.DataParallel;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.spark.Cli;
import dev.kindling.spark.TestSpark;
import dev.kindling.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A round whose loss or a partition's result is not finite is never applied; the run stops or retries. */
public class DivergenceTest {
    static final String DATA = TestSpark.fashionMnist().toString();

    @TempDir
    Path tmp;

    /**
     * Two shards of 100 examples; the second's first 16 pixels are white, and the weights from
     * those pixels are the largest float, so only the second shard overflows to NaN.
     */
    @Test
    void aPartitionReturningNonFiniteValuesIsNamedAndItsRoundNotApplied() {
        int n = 200;
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        Random random = new Random(3);
        for (int i = 0; i < n; i++) {
            for (int f = 16; f < 784; f++) {
                pixels[i * 784 + f] = (byte) random.nextInt(256);
            }
            for (int f = 0; f < 16 && i >= 100; f++) {
                pixels[i * 784 + f] = (byte) 255;
            }
            labels[i] = (byte) (i % 10);
        }
        Dataset corrupt = new Dataset("corrupt", 1, 28, 28, 10, pixels, labels);
        Shards shards = Shards.of(TestSpark.context(), corrupt, 2, "corrupt");
        try {
            Network net = Network.build(NetworkSpec.mlp("784-8-10", "he", 0), Backends.create("auto"));
            net.initialize(1);
            for (int i = 0; i < 16; i++) {
                net.parameters()[i] = Float.MAX_VALUE; // the first dense layer's weights come first
            }
            float[] before = net.parameters().clone();
            SparkTrainer trainer = new SparkTrainer(TestSpark.context(), net, TestSpark.settings(net,
                    OptimizerConfig.of("sgd"), TrainConfig.defaults().withEpochs(1).withBatchSize(n).withSeed(1)
                            .withLearningRate(0.1).withTrainEvalSamples(100),
                    new DataParallel("sync", null, 1, 0, 0)), shards, null, null);
            KindlingException e = assertThrows(KindlingException.class, () -> trainer.fit(null));
            assertTrue(e.getMessage().contains("partition 1 returned a non-finite"), e.getMessage());
            assertFalse(e.getMessage().contains("partition 0"), e.getMessage());
            assertTrue(e.getMessage().contains("round 1"), e.getMessage());
            assertArrayEquals(before, net.parameters(), "the round's update is not applied");
            assertEquals(0, trainer.round());
        } finally {
            shards.release();
        }
    }

    /**
     * A BatchNorm network on two shards of one example each, one round of both. Poisoned so that
     * the round diverges: "loss", first-layer weights at the largest float, so every shard's loss
     * is NaN; "state", a running mean near the largest float, so every shard's state is finite
     * but their sum (the driver's merge) is not. Either way the round is refused and the driver's
     * parameters, BatchNorm statistics and optimizer state are exactly as before it.
     */
    @ParameterizedTest(name = "{0} mode, non-finite {1}")
    @CsvSource({"sync, loss", "sync, state", "local, loss", "local, state"})
    void aDivergedRoundLeavesParametersAndNetworkStateAsTheyWere(String mode, String poison) {
        int n = 2;
        byte[] pixels = new byte[n * 784];
        byte[] labels = {3, 7};
        new Random(7).nextBytes(pixels);
        Dataset data = new Dataset("two", 1, 28, 28, 10, pixels, labels);
        NetworkSpec spec = new NetworkSpec(Shape.vector(784), List.of(new LayerSpec.Dense(4, "he"),
                new LayerSpec.BatchNorm(null, null), new LayerSpec.Relu(), new LayerSpec.Dense(10, "he")), null);
        Network net = Network.build(spec, Backends.create("auto"));
        net.initialize(1);
        if (poison.equals("loss")) {
            for (int i = 0; i < 784 * 4; i++) {
                net.parameters()[i] = Float.MAX_VALUE; // the first dense layer's weights come first
            }
        } else {
            net.state()[0] = 3e38f; // the first channel's running mean: 0.9 * 3e38 per shard, 5.4e38 summed
        }
        float[] parameters = net.parameters().clone();
        float[] state = net.state().clone();
        Shards shards = Shards.of(TestSpark.context(), data, 2, "two");
        try {
            SparkTrainer trainer = new SparkTrainer(TestSpark.context(), net, TestSpark.settings(net,
                    OptimizerConfig.of("adam"), TrainConfig.defaults().withEpochs(1).withBatchSize(n).withSeed(1)
                            .withLearningRate(0.01).withTrainEvalSamples(n),
                    new DataParallel(mode, null, 1, 0, 0)), shards, null, null);
            float[] optimizerState = trainer.optimizerState().clone();
            KindlingException e = assertThrows(KindlingException.class, () -> trainer.fit(null));
            assertTrue(e.getMessage().contains("training diverged"), e.getMessage());
            assertTrue(e.getMessage().contains("round 1"), e.getMessage());
            assertTrue(e.getMessage().contains(poison.equals("loss") ? "non-finite" : "network state"), e.getMessage());
            assertArrayEquals(parameters, net.parameters(), "parameters");
            assertArrayEquals(state, net.state(), "BatchNorm running statistics");
            assertArrayEquals(optimizerState, trainer.optimizerState(), "optimizer state");
            assertEquals(0, trainer.round());
            assertEquals(0, trainer.step());
        } finally {
            shards.release();
        }
    }

    @Test
    void aDivergedRunStopsNamingTheRoundAndKeepsTheLastGoodCheckpoint() throws Exception {
        TestSpark.stop(); // the CLI starts its own Spark
        Path out = tmp.resolve("run");
        Cli.Result r = run("train", "--data", DATA, "--out", out.toString(), "--master", "local[2]",
                "--arch", "784-30-10", "--optimizer", "sgd", "--lr", "1e30", "--limit", "1000", "--epochs", "1",
                "--partitions", "2", "--checkpoint-every", "1");
        assertRefused(r, 1, "training diverged", "in round 2", "the last good checkpoint (round 1) is kept");
        JsonNode checkpoint = Json.JSON.readTree(out.resolve("checkpoint/checkpoint.json").toFile());
        assertEquals(1, checkpoint.get("round").asInt(), checkpoint.toString());
        assertFalse(Files.exists(out.resolve("model")), "no model of a diverged run");
    }

    @Test
    void aLossThatExplodesButStaysFiniteIsDivergence() throws Exception {
        TestSpark.stop(); // the CLI starts its own Spark
        Path out = tmp.resolve("exploded");
        Cli.Result r = run("train", "--data", DATA, "--out", out.toString(), "--master", "local[2]",
                "--optimizer", "sgd", "--lr", "1e6", "--limit", "1000", "--epochs", "2", "--partitions", "2");
        assertRefused(r, 1, "training diverged", "above its bound", "in round");
        assertFalse(Files.exists(out.resolve("model")), "no model of a diverged run");
    }

    @Test
    void withRetriesADivergedRunGoesBackAndFinishesWithASmallerLearningRate() throws Exception {
        TestSpark.stop();
        Path out = tmp.resolve("retried");
        Cli.Result r = run("train", "--data", DATA, "--out", out.toString(), "--master", "local[2]",
                "--arch", "784-30-10", "--optimizer", "sgd", "--lr", "1e3", "--limit", "1000", "--epochs", "1",
                "--partitions", "2", "--checkpoint-every", "0", "--divergence-retries", "30");
        assertEquals(0, r.code(), r.out() + r.err());
        List<JsonNode> retries = TrainCliTest.lines(out.resolve("metrics.jsonl"), "retry");
        assertFalse(retries.isEmpty(), r.out());
        double lr = 1e3;
        for (JsonNode retry : retries) {
            lr /= 2;
            assertEquals(lr, retry.get("learning_rate").asDouble(), lr * 1e-12);
            assertTrue(retry.get("cause").asText().contains("training diverged"), retry.toString());
            assertEquals(0, retry.get("back_to_round").asInt(), "without checkpoints, back to the start: " + retry);
        }
        assertTrue(r.out().contains("retrying from round"), r.out());
        assertTrue(Files.exists(out.resolve("model/model.json")));
        assertRefused(run("train", "--data", DATA, "--out", tmp.resolve("x").toString(), "--master", "local[2]",
                "--divergence-retries", "-1"), 2, "divergence-retries", "-1");
    }
}
