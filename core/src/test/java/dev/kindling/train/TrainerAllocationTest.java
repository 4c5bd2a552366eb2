package dev.kindling.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.Optimizers;
import dev.kindling.optim.WeightDecay;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The training loop allocates nothing per batch once compiled: a per-batch object, however
 * small, is garbage collected thousands of times an epoch and shows in the examples per second.
 */
class TrainerAllocationTest {

    private static final int EXAMPLES = 400;
    private static final int BATCH = 8;
    private static final int STEPS_PER_EPOCH = EXAMPLES / BATCH;
    private static final int EPOCHS = 120;

    @Test
    void aCompiledTrainingStepAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        Dataset data = WarmupTest.random(EXAMPLES, 64, 10, 3);
        Network net = Network.build(NetworkSpec.mlp("64-16-10", "he", 0.1), Backends.create("java"));
        net.initialize(5);
        TrainConfig config = TrainConfig.defaults().withBatchSize(BATCH).withEpochs(EPOCHS).withSeed(5)
                .withLearningRate(1e-4).withTrainEvalSamples(BATCH);
        long[] allocated = new long[STEPS_PER_EPOCH * EPOCHS + 1];
        new Trainer(net, Optimizers.create("adam", net.weightRanges()), config).fit(data, null, new TrainListener() {
            @Override
            public void onStep(long step, double batchLoss) {
                allocated[(int) step] = threads.getCurrentThreadAllocatedBytes();
            }
        });
        // Until the JIT has compiled the step, the interpreter allocates (the Vector API boxes
        // every vector); judge the later epochs, each from its second step to its last, so that
        // evaluation and the epoch's shuffle between epochs are left out.
        double least = Double.MAX_VALUE;
        for (int epoch = EPOCHS / 2; epoch < EPOCHS; epoch++) {
            int first = epoch * STEPS_PER_EPOCH + 1;
            int last = first + STEPS_PER_EPOCH - 1;
            least = Math.min(least, (double) (allocated[last] - allocated[first]) / (last - first));
        }
        // The kernels alone, without the trainer's loop around them: where the JIT happened to
        // compile a Vector API kernel without its intrinsics, they box, and the loop cannot be judged.
        double kernels = kernelsAlone(threads, data, net, config);
        Assumptions.assumeTrue(kernels < 8, "the kernels themselves allocate " + kernels + " bytes per step");
        assertTrue(least < 8, "bytes allocated per step in the least allocating late epoch: " + least);
    }

    private static double kernelsAlone(com.sun.management.ThreadMXBean threads, Dataset data, Network net,
                                       TrainConfig config) {
        Dataset train = data.withClasses(net.outputCount());
        float[] x = new float[BATCH * train.featureCount()];
        float[] t = new float[BATCH * net.outputCount()];
        int[] labels = new int[BATCH];
        int[] order = new EpochOrder(EXAMPLES, 1).next();
        UpdateStep update = new UpdateStep(Optimizers.create("adam", net.weightRanges()),
                UpdateStep.schedule(config, EXAMPLES), new WeightDecay(0f, net.weightRanges()),
                net.parameters().length);
        java.util.SplittableRandom noise = new java.util.SplittableRandom(1);
        double least = Double.MAX_VALUE;
        for (int epoch = 0; epoch < 20; epoch++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int from = 0; from < EXAMPLES; from += BATCH) {
                train.fillBatch(order, from, from + BATCH, x, t, labels);
                net.gradient(x, t, BATCH, 1f / BATCH, noise);
                update.apply(net.parameters(), net.gradients());
            }
            least = Math.min(least, (double) (threads.getCurrentThreadAllocatedBytes() - before) / STEPS_PER_EPOCH);
        }
        return least;
    }
}
