package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** network.normalize: read from a config, applied by the network, resolved from data, kept in model.json. */
class NormalizationTest {
    @TempDir
    Path tmp;

    static final String CNN = "input: [3, 2, 2]\nlayers:\n  - {type: flatten}\n  - {type: dense, units: 2}\n";

    static NetworkSpec spec(String yaml) {
        return Json.read(Json.YAML, "net.yaml", yaml.getBytes(StandardCharsets.UTF_8), NetworkSpec.class);
    }

    @Test
    void readsAutoOrMeanAndStdPerChannelOrForAll() {
        assertTrue(spec(CNN + "normalize: auto\n").normalize().auto());
        Normalization n = spec(CNN + "normalize: {mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.1]}\n").normalize();
        assertEquals(List.of(0.5, 0.4, 0.3), n.mean());
        assertArrayEquals(new float[] {0.25f, 0.2f, 0.1f}, n.stds(new Shape(3, 2, 2)));
        Normalization one = spec(CNN + "normalize: {mean: 0.5, std: 0.25}\n").normalize();
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, one.means(new Shape(3, 2, 2)));
        assertNull(spec(CNN).normalize());
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        for (String[] c : new String[][] {
            {"normalize: {mean: [0.5, 0.5], std: [0.2, 0.2]}", "2 values for an input of 3 channel(s)"},
            {"normalize: {mean: [0.5], std: [0]}", "network.normalize.std[0]: 0.0 must be a finite number > 0"},
            {"normalize: {mean: [0.5]}", "give both mean and std"},
            {"normalize: {mean: [0.5], std: [0.2], scale: 2}", "unknown key \"scale\""},
            {"normalize: yes", "neither auto nor"},
        }) {
            KindlingException e = assertThrows(KindlingException.class, () -> spec(CNN + c[0] + "\n"), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void theNetworkNormalisesItsInputAndTheModelFileKeepsIt() throws Exception {
        NetworkSpec plain = spec(CNN);
        NetworkSpec normalised = spec(CNN + "normalize: {mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2]}\n");
        Network a = Network.build(plain, Backends.create("java"));
        Network b = Network.build(normalised, Backends.create("java"));
        a.initialize(3);
        System.arraycopy(a.parameters(), 0, b.parameters(), 0, a.parameters().length);
        float[] x = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1f, 0f, 0.5f};
        float[] by = x.clone();
        b.forward(by, null, 1, false, null);
        float[] want = b.output().clone();
        assertArrayEquals(x, by, "the caller's batch is left as it was");
        float[] normalisedByHand = new float[12];
        float[] m = {0.5f, 0.25f, 0f};
        float[] s = {0.5f, 0.25f, 2f};
        for (int i = 0; i < 12; i++) {
            normalisedByHand[i] = (x[i] - m[i / 4]) / s[i / 4];
        }
        a.forward(normalisedByHand, null, 1, false, null);
        assertArrayEquals(a.output(), want, 1e-6f);

        ModelFile.save(b, Map.of(), tmp.resolve("model"));
        String json = Files.readString(tmp.resolve("model").resolve(ModelFile.DESCRIPTION));
        assertTrue(json.contains("\"normalize\""), json);
        assertEquals(normalised.normalize(), ModelFile.read(tmp.resolve("model")).spec().normalize());
        // a network without one writes no key: model files of earlier versions read and write alike
        ModelFile.save(a, Map.of(), tmp.resolve("plain"));
        assertTrue(!Files.readString(tmp.resolve("plain").resolve(ModelFile.DESCRIPTION)).contains("normalize"));
    }

    @Test
    void autoIsTheDataSetsMeanAndStdPerChannel() {
        // 2 examples of 2 channels x 1 x 2: channel 0 holds 0 and 255 alike, channel 1 only 51
        byte[] pixels = {0, (byte) 255, 51, 51, (byte) 255, 0, 51, 51};
        Dataset d = new Dataset("d", 2, 1, 2, 2, pixels, new byte[] {0, 1});
        Normalization n = Normalization.of(d, new Shape(2, 1, 2));
        assertEquals(List.of(0.5, 0.2), n.mean());
        assertEquals(0.5, n.std().get(0), 1e-9);
        assertEquals(1 / 255.0, n.std().get(1), 1e-6, "a constant channel gets the std of one pixel step");
        Normalization vector = Normalization.of(d, Shape.vector(4));
        assertEquals(1, vector.mean().size());
        assertEquals((0.5 + 0.2) / 2, vector.mean().get(0), 1e-6);
        NetworkSpec auto = spec("input: [2, 1, 2]\nlayers:\n  - {type: flatten}\n  - {type: dense, units: 2}\n"
                + "normalize: auto\n");
        dev.kindling.UsageException refused = assertThrows(dev.kindling.UsageException.class,
                () -> auto.requireNormalizeResolved("a sweep"));
        assertTrue(refused.getMessage().contains("network.normalize: auto") && refused.getMessage().contains("a sweep"),
                refused.getMessage());
        Network unresolved = Network.build(auto, Backends.create("java"));
        assertThrows(IllegalStateException.class, () -> unresolved.forward(new float[4], null, 1, false, null));
    }
}
