package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.Backends;
import dev.kindling.config.DataParallel;
import dev.kindling.data.Dataset;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.spark.Cli;
import dev.kindling.spark.TestSpark;
import dev.kindling.train.History;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.Trainer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sync mode is the single-machine trainer's maths: same seed and global batch, same parameters. */
public class SyncEqualsSingleMachineTest {
    static final NetworkSpec SPEC = NetworkSpec.mlp("784-32-10", "he", 0);

    static TrainConfig config(double lr, double weightDecay) {
        return TrainConfig.defaults().withEpochs(2).withBatchSize(100).withSeed(11).withLearningRate(lr)
                .withWeightDecay(weightDecay).withTrainEvalSamples(500);
    }

    @ParameterizedTest(name = "{0} on {1} partitions")
    @CsvSource({"sgd, 2, 0.1, 0", "sgd, 4, 0.1, 0.001", "adam, 2, 0.001, 0.001", "adam, 3, 0.001, 0",
            "adam, 4, 0.001, 0",
            "adam, 9, 0.001, 0"}) // 9 shards: treeAggregate merges on executors, a level below the driver
    void sameParametersAsTheCoreTrainer(String optimizer, int partitions, double lr, double weightDecay) {
        Dataset train = TestSpark.train(1000);
        Dataset test = TestSpark.test(300);
        // one machine samples as the shards do
        TrainConfig config = config(lr, weightDecay).withShards(partitions);

        Network single = Network.build(SPEC, Backends.create("auto"));
        single.initialize(11);
        Trainer trainer = new Trainer(single, Optimizers.create(optimizer, single.weightRanges()), config);
        History expected = trainer.fit(train, test, null);

        Network distributed = Network.build(SPEC, Backends.create("auto"));
        distributed.initialize(11);
        Shards trainShards = Shards.of(TestSpark.context(), train, partitions, "train");
        Shards testShards = Shards.of(TestSpark.context(), test, partitions, "test");
        try {
            SparkTrainer spark = new SparkTrainer(TestSpark.context(), distributed,
                    TestSpark.settings(distributed, OptimizerConfig.of(optimizer), config,
                    new DataParallel("sync", null, 1, 0, 0)), trainShards, testShards, null);
            History got = spark.fit(null);

            assertEquals(20, spark.round());
            assertEquals(trainer.step(), spark.step());
            float[] a = single.parameters();
            float[] b = distributed.parameters();
            double maxDiff = 0;
            double maxAbs = 0;
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                maxAbs = Math.max(maxAbs, Math.abs(a[i]));
            }
            System.out.printf("%s on %d partitions: max parameter difference %.3g (max parameter %.3g)%n", optimizer, partitions, maxDiff, maxAbs);
            assertTrue(maxDiff < 1e-6 * Math.max(1, maxAbs), "max |difference| " + maxDiff + " (max |param| " + maxAbs + ")");
            float[] sa = trainer.optimizerState();
            float[] sb = spark.optimizerState();
            for (int i = 0; i < sa.length; i++) {
                assertEquals(sa[i], sb[i], 1e-4 * Math.max(1, Math.abs(sa[i])), "optimizer state " + i);
            }
            assertEquals(expected.last().testLoss(), got.last().testLoss(), 1e-3);
            assertEquals(expected.last().testAccuracy(), got.last().testAccuracy(), 0.01);
            assertEquals(expected.last().trainLoss(), got.last().trainLoss(), 1e-3);
            assertEquals(2, got.epochs().size());
        } finally {
            trainShards.release();
            testShards.release();
        }
    }

    @Test
    void fewShardsAreMergedOnTheDriverManyThroughATree() {
        for (int n : new int[] {1, 2, 3, 4, 5}) {
            assertTrue(!ShardAggregation.needsTree(n, SparkTrainer.TREE_DEPTH), n + " shards");
        }
        assertTrue(ShardAggregation.needsTree(6, SparkTrainer.TREE_DEPTH));
        assertTrue(ShardAggregation.needsTree(9, SparkTrainer.TREE_DEPTH));
        assertTrue(ShardAggregation.needsTree(100, SparkTrainer.TREE_DEPTH));
    }

    @Test
    void withOneShardBatchNormAndItsRunningStatisticsMatchToo() {
        NetworkSpec bn = new NetworkSpec(dev.kindling.nn.Shape.vector(784), java.util.List.of(
                new LayerSpec.Dense(32, "he"), new LayerSpec.BatchNorm(null, null), new LayerSpec.Relu(),
                new LayerSpec.Dense(10, "he")), null);
        Dataset train = TestSpark.train(600);
        // SGD: Adam would turn the rounding noise of the pre-BatchNorm biases' gradients (zero in
        // exact arithmetic, as BatchNorm cancels those biases) into full-size steps
        TrainConfig config = config(0.05, 0).withEpochs(1).withShards(1);
        Network single = Network.build(bn, Backends.create("auto"));
        single.initialize(11);
        new Trainer(single, Optimizers.create("sgd", single.weightRanges()), config).fit(train, null, null);

        Network distributed = Network.build(bn, Backends.create("auto"));
        distributed.initialize(11);
        Shards shards = Shards.of(TestSpark.context(), train, 1, "train");
        try {
            new SparkTrainer(TestSpark.context(), distributed,
                    TestSpark.settings(distributed, OptimizerConfig.of("sgd"), config,
                    new DataParallel("sync", null, 1, 0, 0)), shards, null, null).fit(null);
        } finally {
            shards.release();
        }
        assertTrue(single.state().length > 0);
        for (int i = 0; i < single.state().length; i++) {
            assertEquals(single.state()[i], distributed.state()[i], 1e-5 * Math.max(1, Math.abs(single.state()[i])),
                    "running statistic " + i);
        }
        for (int i = 0; i < single.parameters().length; i++) {
            assertEquals(single.parameters()[i], distributed.parameters()[i], 1e-5, "parameter " + i);
        }
    }

    @Test
    void theLauncherOnOneMachineWithShardsTrainsAsTheSparkRunOnAsManyPartitions(@TempDir Path tmp) {
        TestSpark.stop(); // the launcher starts its own Spark
        String[] common = {"--data", TrainCliTest.DATA, "--arch", "784-30-10", "--limit", "900", "--epochs", "2",
                "--batch", "50", "--seed", "4", "--optimizer", "sgd", "--lr", "0.1"};
        Cli.Result single = Cli.run(concat(new String[] {"train", "--out", tmp.resolve("single").toString(),
                "--master", "single", "--shards", "3"}, common));
        assertEquals(0, single.code(), single.err());
        Cli.Result spark = Cli.run(concat(new String[] {"train", "--out", tmp.resolve("spark").toString(),
                "--master", "local[2]", "--partitions", "3"}, common));
        assertEquals(0, spark.code(), spark.err());
        float[] a = ModelFile.load(tmp.resolve("single/model"), Backends.create("java")).parameters();
        float[] b = ModelFile.load(tmp.resolve("spark/model"), Backends.create("java")).parameters();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-5 * Math.max(1, Math.abs(a[i])), "parameter " + i);
        }
        Cli.Result refused = Cli.run(concat(new String[] {"train", "--out", tmp.resolve("x").toString(),
                "--master", "local[2]", "--shards", "3"}, common));
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("--partitions"), refused.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
