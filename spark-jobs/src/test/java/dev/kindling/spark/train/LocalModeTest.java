package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.Backends;
import dev.kindling.config.DataParallel;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.spark.TestSpark;
import dev.kindling.train.History;
import dev.kindling.train.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Local mode (k local steps per shard, then parameters and optimizer state averaged) learns. */
public class LocalModeTest {

    @Test
    void convergesOnAFashionMnistSubset() {
        Shards train = Shards.of(TestSpark.context(), TestSpark.train(4000), 2, "train");
        Shards test = Shards.of(TestSpark.context(), TestSpark.test(1000), 2, "test");
        try {
            Network net = Network.build(NetworkSpec.mlp("784-64-10", "he", 0), Backends.create("auto"));
            net.initialize(5);
            TrainConfig config = TrainConfig.defaults().withEpochs(3).withBatchSize(100).withSeed(5)
                    .withLearningRate(0.002).withTrainEvalSamples(1000);
            SparkTrainer trainer = new SparkTrainer(TestSpark.context(), net,
                    TestSpark.settings(net, OptimizerConfig.of("adam"), config,
                    new DataParallel("local", null, 5, 0, 0)), train, test, null);
            List<RoundMetrics> rounds = new ArrayList<>();
            History h = trainer.fit(new SparkTrainer.Listener() {
                @Override
                public void onRound(RoundMetrics m) {
                    rounds.add(m);
                }
            });
            assertEquals(24, trainer.round()); // 40 steps per epoch in rounds of 5, 3 epochs
            assertEquals(120, trainer.step());
            assertEquals(500, rounds.get(0).examples()); // five global batches per round
            // 3 epochs on 4,000 examples: 0.77 to 0.80 over seeds
            assertTrue(h.last().testAccuracy() > 0.75, "test accuracy " + h.last().testAccuracy());
            assertTrue(h.last().trainLoss() < h.epochs().get(0).trainLoss(), h.epochs().toString());
            assertTrue(rounds.get(rounds.size() - 1).loss() < rounds.get(0).loss());
        } finally {
            train.release();
            test.release();
        }
    }
}
