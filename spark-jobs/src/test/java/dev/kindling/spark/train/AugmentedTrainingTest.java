package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.Backends;
import dev.kindling.config.DataParallel;
import dev.kindling.data.Augmentation;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Normalization;
import dev.kindling.nn.Shape;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.spark.TestSpark;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * Augmentation and normalisation on Spark: each example's draws are fixed by (seed, epoch, shard,
 * example), so a sync run equals {@code --master single --shards N} with them on, as without.
 */
public class AugmentedTrainingTest {

    static double maxDifference(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void aSyncRunWithAugmentationEqualsOneMachineSamplingAsTheShards() {
        Dataset train = TestSpark.train(600);
        NetworkSpec plain = NetworkSpec.mlp("784-16-10", "he", 0);
        NetworkSpec spec = new NetworkSpec(plain.input(), plain.layers(), plain.loss(),
                Normalization.of(train, Shape.vector(784)),
                new Augmentation(new Augmentation.RandomCrop(3), true, 0.2));
        int partitions = 3;
        TrainConfig config = TrainConfig.defaults().withEpochs(2).withBatchSize(100).withSeed(5).withLearningRate(0.01)
                .withTrainEvalSamples(100).withShards(partitions);

        Network single = Network.build(spec, Backends.create("auto"));
        single.initialize(5);
        new Trainer(single, Optimizers.create("sgd", single.weightRanges()), config).fit(train, null, null);

        Network unaugmented = Network.build(new NetworkSpec(spec.input(), spec.layers(), spec.loss(),
                spec.normalize(), null), Backends.create("auto"));
        unaugmented.initialize(5);
        new Trainer(unaugmented, Optimizers.create("sgd", unaugmented.weightRanges()), config).fit(train, null, null);
        assertTrue(maxDifference(single.parameters(), unaugmented.parameters()) > 1e-3, "augmentation changes the run");

        Network distributed = Network.build(spec, Backends.create("auto"));
        distributed.initialize(5);
        Shards shards = Shards.of(TestSpark.context(), train, partitions, "train");
        try {
            new SparkTrainer(TestSpark.context(), distributed, TestSpark.settings(distributed,
                    OptimizerConfig.of("sgd"), config, new DataParallel("sync", null, 1, 0, 0)), shards, null, null)
                    .fit(null);
        } finally {
            shards.release();
        }
        double diff = maxDifference(single.parameters(), distributed.parameters());
        assertTrue(diff < 1e-5, "max |difference| " + diff);
    }
}
