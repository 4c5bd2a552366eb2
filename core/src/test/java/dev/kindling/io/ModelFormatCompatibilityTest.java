package dev.kindling.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.backend.Backends;
import dev.kindling.nn.Network;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model files written by an earlier Kindling still load and still give the same outputs.
 * {@code src/test/resources/formats/v1/} holds, per fixture, a model directory as version 1 of
 * {@link ModelFile} wrote it and {@code outputs.json}: a fixed input and the model's outputs
 * on it when it was written. {@link ModelFormatFixtures} wrote them; these files are never
 * regenerated, since the point is that they come from the past. A new format version gets a
 * new {@code v<N>} folder beside them, and these tests keep reading the old ones.
 */
class ModelFormatCompatibilityTest {
    // Outputs are probabilities; this allows for a changed summation order in the kernels.
    private static final float TOLERANCE = 1e-6f;

    @ParameterizedTest
    @ValueSource(strings = {"v1/mlp", "v1/cnn"})
    void loadsAndGivesTheOutputsItGaveWhenWritten(String fixture) throws Exception {
        Path dir = resource("formats/" + fixture);
        Network net = ModelFile.load(dir.resolve("model"), Backends.create(ModelFormatFixtures.BACKEND));
        ModelFormatFixtures.Outputs expected =
                Json.JSON.readValue(dir.resolve("outputs.json").toFile(), ModelFormatFixtures.Outputs.class);
        assertEquals(expected.input().length, expected.batch() * net.inputShape().size(), fixture + " input size");
        float[] output = ModelFormatFixtures.run(net, expected.input(), expected.batch());
        assertArrayEquals(expected.output(), output, TOLERANCE, fixture);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1/mlp", "v1/cnn"})
    void keepsItsMetadata(String fixture) throws Exception {
        Path dir = resource("formats/" + fixture);
        assertEquals(dir.getFileName().toString(), ModelFile.read(dir.resolve("model")).metadata().get("fixture"));
    }

    private static Path resource(String name) throws IOException, URISyntaxException {
        var url = ModelFormatCompatibilityTest.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IOException(name + ": not on the test class path");
        }
        return Path.of(url.toURI());
    }
}
