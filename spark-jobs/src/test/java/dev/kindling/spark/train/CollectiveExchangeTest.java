package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.UsageException;
import dev.kindling.backend.Backends;
import dev.kindling.config.DataParallel;
import dev.kindling.config.TrainSettings;
import dev.kindling.data.Dataset;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.spark.TestSpark;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The collective exchange (a barrier stage per segment, gradients reduce-scattered and updated
 * slices all-gathered among the tasks) is the driver exchange's maths and one machine's: the
 * same seed and sampler give the same parameters and optimizer state, for 2, 3 and 4 shards, in
 * sync and local mode, whatever the segments' lengths.
 */
public class CollectiveExchangeTest {
    static final String MASTER = "local[4]";
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        TestSpark.stop(); // one context per JVM: this one offers a slot for each of 4 shards
        sc = new JavaSparkContext(TestSpark.conf().setMaster(MASTER).setAppName("kindling-collective-tests"));
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    static TrainConfig config(int shards) {
        return TrainConfig.defaults().withEpochs(2).withBatchSize(100).withSeed(11).withLearningRate(0.002)
                .withWeightDecay(0.001).withTrainEvalSamples(200).withShards(shards);
    }

    /** A small CNN with BatchNorm and dropout, so that every kind of state and noise goes through the exchange. */
    static final NetworkSpec CNN = new NetworkSpec(new Shape(1, 28, 28), List.of(
            new LayerSpec.Conv(4, 5, 1, 0, "he"), new LayerSpec.BatchNorm(null, null), new LayerSpec.Relu(),
            new LayerSpec.MaxPool(2, 2), new LayerSpec.Dense(16, "he"), new LayerSpec.Relu(),
            new LayerSpec.Dropout(0.2), new LayerSpec.Dense(10, "he")), null);

    record Run(SparkTrainer trainer, Network net, List<RoundMetrics> rounds, List<SegmentMetrics> segments) {
    }

    static Run train(NetworkSpec spec, String optimizer, TrainConfig config, DataParallel parallel, Dataset data,
                     int shards) {
        Network net = Network.build(spec, Backends.create("auto"));
        net.initialize(11);
        Shards train = Shards.of(sc, data, shards, "train");
        try {
            SparkTrainer t = new SparkTrainer(sc, net, new TrainSettings(spec, OptimizerConfig.of(optimizer), config,
                    "auto", MASTER, parallel), train, null, null);
            List<RoundMetrics> rounds = new ArrayList<>();
            List<SegmentMetrics> segments = new ArrayList<>();
            t.fit(new SparkTrainer.Listener() {
                @Override
                public void onRound(RoundMetrics m) {
                    rounds.add(m);
                }

                @Override
                public void onSegment(SegmentMetrics m) {
                    segments.add(m);
                }
            });
            return new Run(t, net, rounds, segments);
        } finally {
            train.release();
        }
    }

    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]) / Math.max(1, Math.abs(expected[i]));
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tolerance, what + ": element " + at + " differs by " + worst + " (relative)");
    }

    @ParameterizedTest(name = "{0} mode, {1} shards")
    @CsvSource({"sync, 2", "sync, 3", "sync, 4", "local, 2", "local, 3"})
    void collectiveEqualsDriverEqualsOneMachine(String mode, int shards) {
        Dataset data = TestSpark.train(600);
        TrainConfig config = config(shards);
        DataParallel parallel = new DataParallel(mode, null, 2, 0, 0);
        Run driver = train(SyncEqualsSingleMachineTest.SPEC, "adam", config, parallel.withExchange("driver"), data,
                shards);
        Run collective = train(SyncEqualsSingleMachineTest.SPEC, "adam", config, parallel.withExchange("collective"),
                data, shards);
        assertEquals("driver", driver.trainer().exchange());
        assertEquals("collective", collective.trainer().exchange());
        assertEquals(driver.trainer().round(), collective.trainer().round());
        assertEquals(driver.trainer().step(), collective.trainer().step());
        assertClose(driver.net().parameters(), collective.net().parameters(), 1e-6, "parameters");
        assertClose(driver.trainer().optimizerState(), collective.trainer().optimizerState(), 1e-5, "optimizer state");
        assertEquals(driver.rounds().size(), collective.rounds().size());
        for (int i = 0; i < driver.rounds().size(); i++) {
            RoundMetrics d = driver.rounds().get(i);
            RoundMetrics c = collective.rounds().get(i);
            assertEquals(d.round(), c.round());
            assertEquals(d.examples(), c.examples(), "examples of round " + d.round());
            assertEquals(d.loss(), c.loss(), 1e-4, "loss of round " + d.round());
            assertTrue(Double.isNaN(d.exchangeMs()) && c.exchangeMs() >= 0, "exchange_ms where collective only");
        }
        assertFalse(collective.segments().isEmpty());
        for (SegmentMetrics s : collective.segments()) {
            assertEquals(shards, s.tasks());
            assertTrue(s.bytesPerTaskPerRound() > 0, "bytes counted");
        }
        if (mode.equals("sync")) {
            Network single = Network.build(SyncEqualsSingleMachineTest.SPEC, Backends.create("auto"));
            single.initialize(11);
            Trainer one = new Trainer(single, Optimizers.create("adam", single.weightRanges()), config);
            one.fit(data, null, null);
            assertClose(single.parameters(), collective.net().parameters(), 1e-5, "parameters against one machine");
        }
    }

    @Test
    void segmentsOfAnyLengthGiveTheSameRunWithBatchNormAndDropout() {
        Dataset data = TestSpark.train(400);
        TrainConfig config = config(2).withEpochs(1);
        // a checkpoint boundary every 3 rounds ends a segment there; without one, the epoch is one segment
        Run driver = train(CNN, "momentum", config, new DataParallel("sync", null, 1, 0, 0, "driver"), data, 2);
        Run shortSegments = train(CNN, "momentum", config, new DataParallel("sync", null, 1, 3, 0, "collective"),
                data, 2);
        Run oneSegment = train(CNN, "momentum", config, new DataParallel("sync", null, 1, 0, 0, "collective"), data, 2);
        assertTrue(shortSegments.segments().size() > oneSegment.segments().size(),
                shortSegments.segments().size() + " segments against " + oneSegment.segments().size());
        assertClose(oneSegment.net().parameters(), shortSegments.net().parameters(), 0, "parameters");
        assertClose(oneSegment.net().state(), shortSegments.net().state(), 0, "BatchNorm statistics");
        assertClose(driver.net().parameters(), oneSegment.net().parameters(), 1e-5, "parameters against the driver's");
        assertClose(driver.net().state(), oneSegment.net().state(), 1e-5, "BatchNorm statistics against the driver's");
    }

    @Test
    void moreShardsThanSlotsFallBackToTheDriverOrAreRefusedWhenCollectiveIsAsked() {
        Dataset data = TestSpark.train(200);
        Network net = Network.build(SyncEqualsSingleMachineTest.SPEC, Backends.create("auto"));
        net.initialize(11);
        Shards train = Shards.of(sc, data, 6, "train");
        try {
            TrainConfig config = config(6).withEpochs(1);
            SparkTrainer fallback = new SparkTrainer(sc, net, new TrainSettings(net.spec(), OptimizerConfig.of("sgd"),
                    config, "auto", MASTER, new DataParallel("sync", null, 1, 0, 0)), train, null, null);
            assertEquals("driver", fallback.exchange());
            assertTrue(fallback.exchangeNote().contains("6 shards") && fallback.exchangeNote().contains("4 task slots"),
                    fallback.exchangeNote());
            UsageException e = assertThrows(UsageException.class, () -> new SparkTrainer(sc, net,
                    new TrainSettings(net.spec(), OptimizerConfig.of("sgd"), config, "auto", MASTER,
                            new DataParallel("sync", null, 1, 0, 0, "collective")), train, null, null));
            assertTrue(e.getMessage().contains("--exchange collective") && e.getMessage().contains("6 shards"),
                    e.getMessage());
            SparkTrainer asked = new SparkTrainer(sc, net, new TrainSettings(net.spec(), OptimizerConfig.of("sgd"),
                    config, "auto", MASTER, new DataParallel("sync", null, 1, 0, 0, "driver")), train, null, null);
            assertNull(asked.exchangeNote());
        } finally {
            train.release();
        }
    }
}
