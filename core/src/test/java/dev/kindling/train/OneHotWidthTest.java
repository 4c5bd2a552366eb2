package dev.kindling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.Optimizers;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Data of fewer classes than the network has outputs trains on targets as wide as the outputs. */
class OneHotWidthTest {
    static Dataset tenClasses() {
        Random random = new Random(3);
        byte[] pixels = new byte[60 * 16];
        byte[] labels = new byte[60];
        random.nextBytes(pixels);
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 10);
        }
        return new Dataset("made-up", 1, 4, 4, 10, pixels, labels);
    }

    static float[] trainedOn(Dataset data) {
        Network net = Network.build(NetworkSpec.mlp("16-8-13", "he", 0), Backends.create("java"));
        net.initialize(7);
        TrainConfig config = TrainConfig.defaults().withEpochs(2).withBatchSize(10).withSeed(7);
        History h = new Trainer(net, Optimizers.create("sgd", net.weightRanges()), config).fit(data, data, null);
        assertEquals(2, h.epochs().size());
        return net.parameters();
    }

    @Test
    void tenClassesOnThirteenOutputsTrainAsIfWidenedFirst() {
        Dataset ten = tenClasses();
        assertArrayEquals(trainedOn(ten.withClasses(13)), trainedOn(ten));
    }

    @Test
    void evaluationUsesTargetsAsWideAsTheOutputs() {
        Network net = Network.build(NetworkSpec.mlp("16-8-13", "he", 0), Backends.create("java"));
        net.initialize(7);
        Dataset ten = tenClasses();
        assertEquals(Trainer.evaluate(net, ten.withClasses(13), 7), Trainer.evaluate(net, ten, 7));
    }
}
