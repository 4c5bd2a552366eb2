package dev.kindling.io;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kindling.backend.Backends;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the checked-in model files that {@link ModelFormatCompatibilityTest} reads: for each
 * fixture, {@code formats/v<ModelFile.VERSION>/<name>/model/} as {@link ModelFile#save} writes
 * it and {@code <name>/outputs.json}, a fixed input and the model's outputs on it. Skipped
 * unless asked for; run it once per new format version, never over a released version's files:
 *
 * <pre>mvn -o -q -B -pl core test -Dtest=ModelFormatFixtures -Dkindling.formats.write=true</pre>
 */
class ModelFormatFixtures {
    /** A fixed input and what the model outputs for it (probabilities, batch × outputs). */
    record Outputs(int batch, float[] input, float[] output) {
    }

    static final String BACKEND = "loop";

    @Test
    @EnabledIfSystemProperty(named = "kindling.formats.write", matches = "true")
    void write() throws IOException {
        Path version = Path.of("src/test/resources/formats/v" + ModelFile.VERSION);
        assertFalse(Files.exists(version), version + " exists: a released format's files are never rewritten");
        write(version.resolve("mlp"), mlp(), 3);
        write(version.resolve("cnn"), cnn(), 2);
    }

    /** 4-3-2 with ReLU and softmax: 23 parameters. */
    private static Network mlp() {
        Network net = Network.build(NetworkSpec.mlp("4-3-2", "he", 0.0), Backends.create(BACKEND));
        net.initialize(11);
        return net;
    }

    /** Conv, BatchNorm, ReLU, max-pool and dense on a 1×6×6 image: 81 parameters, 4 state floats. */
    private static Network cnn() {
        NetworkSpec spec = new NetworkSpec(new Shape(1, 6, 6), List.of(
                new LayerSpec.Conv(2, 3, 1, 1, "he"), new LayerSpec.BatchNorm(null, null), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, null), new LayerSpec.Flatten(), new LayerSpec.Dense(3, "xavier")),
                "softmax-cross-entropy");
        Network net = Network.build(spec, Backends.create(BACKEND));
        net.initialize(12);
        // Running statistics other than the initial 0 and 1, so inference depends on the saved state.
        float[] state = net.state();
        state[0] = 0.125f;
        state[1] = -0.25f;
        state[2] = 0.5f;
        state[3] = 2.0f;
        return net;
    }

    private static void write(Path fixture, Network net, int batch) throws IOException {
        ModelFile.save(net, Map.of("fixture", fixture.getFileName().toString()), fixture.resolve("model"));
        SplittableRandom random = new SplittableRandom(fixture.getFileName().toString().hashCode());
        float[] input = new float[batch * net.inputShape().size()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (2 * random.nextDouble() - 1);
        }
        Outputs outputs = new Outputs(batch, input, run(net, input, batch));
        Files.write(fixture.resolve("outputs.json"), Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(outputs));
    }

    /** The inference-mode outputs of {@code net} on {@code input}. */
    static float[] run(Network net, float[] input, int batch) {
        net.forward(input, null, batch, false, null);
        return net.output().clone();
    }
}
