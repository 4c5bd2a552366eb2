package dev.kindling.bench.onemachine;

import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import java.util.List;
import java.util.Locale;

/**
 * The two networks both frameworks train, defined once for Kindling here and once for
 * Deeplearning4j in {@link Dl4jNetworks}, with a test that they have the same parameters.
 * Both: He initial weights, zero biases, Adam with learning rate 0.001 (β1 0.9, β2 0.999,
 * ε 1e-8), batch 100, softmax with cross-entropy, 28×28 grey images scaled to [0, 1].
 */
public enum Workload {
    /** 784-100-10: Dense 100, ReLU, Dense 10, softmax. */
    MLP("mlp"),
    /** conv 5×5×20 (stride 1, no padding), ReLU, max-pool 2×2, Dense 100, ReLU, Dense 10, softmax. */
    CNN("cnn");

    public static final int BATCH = 100;
    public static final double LEARNING_RATE = 0.001;
    public static final String OPTIMIZER = "adam";
    public static final String INIT = "he";

    private final String id;

    Workload(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Workload byId(String id) {
        for (Workload w : values()) {
            if (w.id.equals(id.toLowerCase(Locale.ROOT))) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown model \"" + id + "\" (expected mlp or cnn)");
    }

    public NetworkSpec kindlingSpec() {
        switch (this) {
            case MLP:
                return NetworkSpec.mlp("784-100-10", INIT, 0);
            case CNN:
                return new NetworkSpec(new Shape(1, 28, 28), List.of(
                        new LayerSpec.Conv(20, 5, 1, 0, INIT),
                        new LayerSpec.Relu(),
                        new LayerSpec.MaxPool(2, 2),
                        new LayerSpec.Flatten(),
                        new LayerSpec.Dense(100, INIT),
                        new LayerSpec.Relu(),
                        new LayerSpec.Dense(10, INIT)), null);
            default:
                throw new IllegalStateException(name());
        }
    }

    /**
     * Floating-point operations per training example in the GEMMs (2 per multiply-add):
     * forward, weight gradient, and the input gradient of every layer but the first, which
     * Kindling skips because nobody reads it. The arithmetic limit is a core's peak divided by
     * this; everything else a step does (activations, pooling, im2col, the optimizer, the
     * batch) only adds to it.
     */
    public long trainingFlops() {
        switch (this) {
            case MLP:
                return 2 * (2L * 784 * 100) + 3 * (2L * 100 * 10);
            case CNN:
                long conv = 2L * 20 * 25 * 24 * 24;
                long hidden = 2L * 20 * 12 * 12 * 100;
                return 2 * conv + 3 * hidden + 3 * (2L * 100 * 10);
            default:
                throw new IllegalStateException(name());
        }
    }
}
