package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kindling.backend.Backends;
import dev.kindling.backend.CudaBackend;
import dev.kindling.data.Dataset;
import dev.kindling.optim.Optimizers;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.Trainer;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CUDA backend against the CPU one, layer by layer and over training: every network of the
 * gradient check passes it on the GPU, gives the CPU's outputs, loss and gradients within float
 * rounding, and a few epochs of Adam end at the CPU's parameters. Needs an NVIDIA GPU; elsewhere
 * every test reports as skipped, saying why.
 */
@Tag("gpu")
class CudaNetworkParityTest {

    @BeforeEach
    void needsAGpu() {
        assumeTrue(CudaBackend.isAvailable(), "no CUDA GPU here: " + CudaBackend.unavailableReason());
    }

    static Stream<Arguments> networks() {
        return GradientCheckTest.networks().filter(a -> a.get()[0].equals("blas")).map(a -> {
            Object[] args = a.get().clone();
            args[0] = "cuda";
            return Arguments.of(args);
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void backpropMatchesNumericalGradient(String backend, String name, NetworkSpec spec, double eps) {
        new GradientCheckTest().backpropMatchesNumericalGradient(backend, name, spec, eps);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("networks")
    void forwardAndBackwardMatchTheCpu(String backend, String name, NetworkSpec spec, double eps) {
        Network gpu = Network.build(spec, Backends.create(backend));
        Network cpu = Network.build(spec, Backends.create("blas"));
        gpu.initialize(3);
        cpu.initialize(3);
        int batch = 8;
        SplittableRandom rng = new SplittableRandom(9);
        float[] x = new float[batch * spec.input().size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] t = new float[batch * cpu.outputCount()];
        for (int n = 0; n < batch; n++) {
            t[n * cpu.outputCount() + rng.nextInt(cpu.outputCount())] = 1f;
        }
        // the same dropout masks on both: the noise comes from equal seeds
        double lossGpu = gpu.gradient(x, t, batch, 1f / batch, new SplittableRandom(1));
        double lossCpu = cpu.gradient(x, t, batch, 1f / batch, new SplittableRandom(1));
        assertEquals(lossCpu, lossGpu, 1e-4 * Math.max(1, Math.abs(lossCpu)), name + " loss");
        assertClose(cpu.output(), gpu.output(), 1e-4, name + " outputs");
        assertClose(cpu.gradients(), gpu.gradients(), 1e-4, name + " gradients");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn"})
    void aFewEpochsOfAdamEndAtTheCpusParameters(String kind) {
        NetworkSpec spec = kind.equals("mlp") ? NetworkSpec.mlp("64-32-4", "he", 0)
                : new NetworkSpec(new Shape(1, 8, 8), java.util.List.of(new LayerSpec.Conv(4, 3, 1, 1, "he"),
                        new LayerSpec.Relu(), new LayerSpec.MaxPool(2, null), new LayerSpec.Flatten(),
                        new LayerSpec.Dense(4, "xavier")), "softmax-cross-entropy");
        Dataset data = randomImages(256, 8, 4, 21);
        TrainConfig config = TrainConfig.defaults().withEpochs(3).withBatchSize(32).withSeed(4).withTrainEvalSamples(64);
        Network gpu = Network.build(spec, Backends.create("cuda"));
        Network cpu = Network.build(spec, Backends.create("blas"));
        gpu.initialize(5);
        cpu.initialize(5);
        new Trainer(gpu, Optimizers.create("adam", gpu.weightRanges()), config).fit(data, null, null);
        new Trainer(cpu, Optimizers.create("adam", cpu.weightRanges()), config).fit(data, null, null);
        // 24 steps of Adam, whose step is about lr whatever the gradient's size: rounding
        // differences move a parameter by a small multiple of lr at most
        assertClose(cpu.parameters(), gpu.parameters(), 2e-3, kind + " parameters after 24 steps");
        boolean moved = false;
        Network fresh = Network.build(spec, Backends.create("blas"));
        fresh.initialize(5);
        for (int i = 0; i < fresh.parameters().length && !moved; i++) {
            moved = Math.abs(fresh.parameters()[i] - gpu.parameters()[i]) > 1e-3;
        }
        assertTrue(moved, "training moved the parameters");
    }

    static Dataset randomImages(int count, int side, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[count * side * side];
        byte[] labels = new byte[count];
        for (int n = 0; n < count; n++) {
            labels[n] = (byte) rng.nextInt(classes);
            for (int i = 0; i < side * side; i++) {
                // a class-dependent brightness, so that there is something to learn
                pixels[n * side * side + i] = (byte) Math.min(255, rng.nextInt(128) + 32 * labels[n]);
            }
        }
        return new Dataset("random", 1, side, side, classes, pixels, labels);
    }

    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tolerance * scale, what + " element " + i);
        }
    }
}
