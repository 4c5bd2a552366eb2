package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.config.DataParallel;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.spark.TestSpark;
import dev.kindling.train.History;
import dev.kindling.train.TrainConfig;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run resumed from its checkpoint after round r ends exactly where an uninterrupted one does. */
public class ResumeTest {
    static final NetworkSpec SPEC = NetworkSpec.mlp("784-24-10", "he", 0.2); // dropout: its noise must resume too
    static final TrainConfig CONFIG = TrainConfig.defaults().withEpochs(2).withBatchSize(100).withSeed(3)
            .withLearningRate(0.002).withTrainEvalSamples(300);
    static Shards train;
    static Shards test;

    @TempDir
    Path tmp;

    @BeforeAll
    static void shard() {
        Dataset data = TestSpark.train(1000);
        train = Shards.of(TestSpark.context(), data, 2, "train");
        test = Shards.of(TestSpark.context(), TestSpark.test(300), 2, "test");
    }

    @AfterAll
    static void release() {
        train.release();
        test.release();
    }

    static Network network(long seed) {
        Network net = Network.build(SPEC, Backends.create("auto"));
        net.initialize(seed);
        return net;
    }

    static SparkTrainer trainer(Network net, CheckpointStore store, Integer every) {
        return new SparkTrainer(TestSpark.context(), net,
                    TestSpark.settings(net, OptimizerConfig.of("adam"), CONFIG,
                    new DataParallel("sync", null, 1, every, 0)), train, test, store);
    }

    @Test
    void resumeAfterACrashEqualsAnUninterruptedRun() {
        Network whole = network(3);
        SparkTrainer uninterrupted = trainer(whole, null, 0);
        History expected = uninterrupted.fit(null);

        RunOutput out = RunOutput.open(tmp.resolve("run").toUri().toString(), new Configuration(), false, false);
        Network first = network(3);
        SparkTrainer crashing = trainer(first, out, 7);
        assertThrows(IllegalStateException.class, () -> crashing.fit(new SparkTrainer.Listener() {
            @Override
            public void onRound(RoundMetrics m) {
                if (m.round() == 12) {
                    throw new IllegalStateException("simulated crash after round 12");
                }
            }
        }));
        Checkpoint c = out.load();
        assertNotNull(c);
        assertEquals(7, c.round()); // mid-epoch 1 of 10 rounds
        assertEquals(1, c.epoch());

        Network resumedNet = network(99); // other weights: the checkpoint must replace them
        SparkTrainer resumed = trainer(resumedNet, out, 7);
        History got = resumed.resume(c, null);
        assertEquals(20, resumed.round());
        assertEquals(uninterrupted.step(), resumed.step());
        assertArrayEquals(whole.parameters(), resumedNet.parameters());
        assertArrayEquals(uninterrupted.optimizerState(), resumed.optimizerState());
        assertEquals(expected.last().testLoss(), got.last().testLoss());
        assertEquals(14, out.load().round()); // checkpoints went on after the resume
    }

    @Test
    void refusesACheckpointOfOtherSettings() {
        Network net = network(3);
        Checkpoint c = new Checkpoint(SPEC, 4, 4, 1, 4, false, 1.0, Double.NaN, 0, 3, "sync", 1, 1000, 50,
                net.parameters().clone(), net.state().clone(), new float[2 * net.parameters().length]);
        KindlingException e = assertThrows(KindlingException.class, () -> trainer(network(3), null, 0).resume(c, null));
        assertEquals(true, e.getMessage().contains("batch 50"), e.getMessage());
    }
}
