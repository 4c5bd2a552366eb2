package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.Backends;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backprop against central differences for every layer and both losses, on every backend.
 * Float32 with ε = 1e-2 gives tensor errors around 1e-4..1e-3; a wrong gradient gives ~1.
 * Networks where max pooling can switch its winner under a 1e-2 nudge use ε = 1e-3.
 */
class GradientCheckTest {
    static final double THRESHOLD = 1e-2;

    static Stream<Arguments> networks() {
        LayerSpec.Dense d3 = new LayerSpec.Dense(3, "xavier");
        List<Object[]> cases = List.of(
                new Object[] {"dense-sigmoid-ce", new NetworkSpec(Shape.vector(5),
                        List.of(new LayerSpec.Dense(4, "xavier"), new LayerSpec.Sigmoid(), d3), "softmax-cross-entropy")},
                new Object[] {"dense-tanh-mse", new NetworkSpec(Shape.vector(5),
                        List.of(new LayerSpec.Dense(4, "xavier"), new LayerSpec.Tanh(), d3), "identity-mse")},
                new Object[] {"dense-relu-dropout-ce", new NetworkSpec(Shape.vector(6),
                        List.of(new LayerSpec.Dense(5, "he"), new LayerSpec.Relu(), new LayerSpec.Dropout(0.3), d3),
                        "softmax-cross-entropy")},
                new Object[] {"dense-batchnorm-relu-ce", new NetworkSpec(Shape.vector(5),
                        List.of(new LayerSpec.Dense(4, "he"), new LayerSpec.BatchNorm(null, null), new LayerSpec.Relu(), d3),
                        "softmax-cross-entropy")},
                new Object[] {"conv-relu-pool-dense-ce", new NetworkSpec(new Shape(2, 6, 6),
                        List.of(new LayerSpec.Conv(3, 3, 1, 1, "he"), new LayerSpec.Relu(),
                                new LayerSpec.MaxPool(2, null), new LayerSpec.Flatten(), d3),
                        "softmax-cross-entropy")},
                new Object[] {"conv-pool3x3-overlapping-dense-ce", new NetworkSpec(new Shape(1, 7, 7),
                        List.of(new LayerSpec.Conv(2, 2, 1, 0, "he"),
                                new LayerSpec.MaxPool(3, 2), new LayerSpec.Flatten(), d3),
                        "softmax-cross-entropy")},
                // A second convolution, so that a convolution's input gradient is checked too.
                new Object[] {"conv-tanh-conv-stride2-dense-ce", new NetworkSpec(new Shape(2, 5, 5),
                        List.of(new LayerSpec.Conv(3, 3, 1, 1, "xavier"), new LayerSpec.Tanh(),
                                new LayerSpec.Conv(2, 3, 2, 1, "xavier"), new LayerSpec.Flatten(), d3),
                        "softmax-cross-entropy")},
                new Object[] {"conv-stride2-batchnorm-tanh-mse", new NetworkSpec(new Shape(1, 7, 7),
                        List.of(new LayerSpec.Conv(2, 3, 2, 0, "xavier"), new LayerSpec.BatchNorm(null, null),
                                new LayerSpec.Tanh(), new LayerSpec.Flatten(), d3),
                        "identity-mse")});
        return Stream.of("loop", "java", "blas").flatMap(b -> cases.stream().map(c -> Arguments.of(b, c[0], c[1],
                c[0].toString().contains("pool") ? 1e-3 : 1e-2)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void backpropMatchesNumericalGradient(String backend, String name, NetworkSpec spec, double eps) {
        Network net = Network.build(spec, Backends.create(backend));
        net.initialize(7);
        SplittableRandom rng = new SplittableRandom(11);
        // nudge parameters off their initial values so biases and γ/β are not trivially 0/1
        float[] p = net.parameters();
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (rng.nextGaussian() * 0.1);
        }
        int batch = 4;
        int in = spec.input().size();
        int out = net.outputCount();
        float[] x = new float[batch * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] t = new float[batch * out];
        for (int n = 0; n < batch; n++) {
            if (spec.loss().equals(IdentityMse.NAME)) {
                for (int j = 0; j < out; j++) {
                    t[n * out + j] = (float) rng.nextGaussian();
                }
            } else {
                t[n * out + rng.nextInt(out)] = 1f;
            }
        }
        List<GradientCheck.TensorError> errors = GradientCheck.check(net, x, t, batch, eps);
        int tensors = (int) spec.layers().stream().filter(l -> l instanceof LayerSpec.Dense
                || l instanceof LayerSpec.Conv || l instanceof LayerSpec.BatchNorm).count();
        assertTrue(errors.size() >= tensors, "every parameterised layer reported: " + errors);
        for (GradientCheck.TensorError e : errors) {
            assertTrue(e.relativeError() < THRESHOLD, name + " on " + backend + ": " + e);
        }
        assertEquals(p.length, errors.stream().mapToInt(GradientCheck.TensorError::length).sum());
    }
}
