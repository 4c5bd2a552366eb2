package dev.kindling.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @TempDir
    Path tmp;

    static Network cnn() {
        NetworkSpec spec = new NetworkSpec(new Shape(1, 8, 8), List.of(
                new LayerSpec.Conv(4, 3, 1, 1, "he"), new LayerSpec.BatchNorm(null, null), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, null), new LayerSpec.Flatten(), new LayerSpec.Dense(5, "xavier")),
                "softmax-cross-entropy");
        Network net = Network.build(spec, Backends.create("loop"));
        net.initialize(3);
        for (int i = 0; i < net.state().length; i++) {
            net.state()[i] = i * 0.25f; // running statistics must survive the round trip too
        }
        return net;
    }

    @Test
    void roundTripKeepsArchitectureParametersStateAndMetadata() {
        Network net = cnn();
        Path dir = tmp.resolve("model");
        ModelFile.save(net, Map.of("note", "x"), dir);
        Network back = ModelFile.load(dir, Backends.create("loop"));
        assertEquals(net.spec(), back.spec());
        assertArrayEquals(net.parameters(), back.parameters());
        assertArrayEquals(net.state(), back.state());
        assertEquals("x", ModelFile.read(dir).metadata().get("note"));
    }

    @Test
    void savingOverAnExistingModelLeavesNoTemporaries() throws IOException {
        Path dir = tmp.resolve("model");
        ModelFile.save(cnn(), Map.of(), dir);
        ModelFile.save(cnn(), Map.of(), dir);
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(dir), files.toList());
        }
    }

    @Test
    void aSaveThatFailsHalfwayLeavesThePreviousModelAndNoTemporaries() throws IOException {
        Network first = cnn();
        Path dir = tmp.resolve("model");
        ModelFile.save(first, Map.of("run", 1), dir);
        IOException boom = assertThrows(IOException.class, () -> AtomicFiles.writeDirectory(dir, d -> {
            Files.write(d.resolve(ModelFile.WEIGHTS), new byte[] {1, 2, 3});
            throw new IOException("disk full");
        }));
        assertEquals("disk full", boom.getMessage());
        assertEquals(1, ModelFile.read(dir).metadata().get("run"));
        assertArrayEquals(first.parameters(), ModelFile.read(dir).parameters());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(dir), files.toList());
        }
    }

    @Test
    void corruptedWeightsFailTheChecksum() throws IOException {
        Path dir = tmp.resolve("model");
        ModelFile.save(cnn(), Map.of(), dir);
        Path w = dir.resolve(ModelFile.WEIGHTS);
        byte[] bytes = Files.readAllBytes(w);
        bytes[10] ^= 0x40;
        Files.write(w, bytes);
        KindlingException e = assertThrows(KindlingException.class, () -> ModelFile.read(dir));
        assertTrue(e.getMessage().contains("weights.bin") && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void truncatedWeightsAreNamed() throws IOException {
        Path dir = tmp.resolve("model");
        ModelFile.save(cnn(), Map.of(), dir);
        Path w = dir.resolve(ModelFile.WEIGHTS);
        byte[] bytes = Files.readAllBytes(w);
        Files.write(w, java.util.Arrays.copyOf(bytes, bytes.length - 8));
        KindlingException e = assertThrows(KindlingException.class, () -> ModelFile.read(dir));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void anotherFormatVersionIsRefused() throws IOException {
        Path dir = tmp.resolve("model");
        ModelFile.save(cnn(), Map.of(), dir);
        Path d = dir.resolve(ModelFile.DESCRIPTION);
        Files.writeString(d, Files.readString(d).replace("\"version\" : 1", "\"version\" : 99"));
        KindlingException e = assertThrows(KindlingException.class, () -> ModelFile.read(dir));
        assertTrue(e.getMessage().contains("version") && e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void weightsOfAnotherArchitectureAreRefused() throws IOException {
        Path dir = tmp.resolve("model");
        ModelFile.save(cnn(), Map.of(), dir);
        Path d = dir.resolve(ModelFile.DESCRIPTION);
        // same file sizes, different network: the layer now has 6 outputs
        Files.writeString(d, Files.readString(d).replace("\"units\" : 5", "\"units\" : 6"));
        KindlingException e = assertThrows(KindlingException.class,
                () -> ModelFile.load(dir, Backends.create("loop")));
        assertTrue(e.getMessage().contains("needs 438 parameters") && e.getMessage().contains("different models"), e.getMessage());
    }

    @Test
    void missingAndGarbledFilesAreNamed() throws IOException {
        KindlingException missing = assertThrows(KindlingException.class, () -> ModelFile.read(tmp.resolve("nope")));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
        Path dir = tmp.resolve("model");
        ModelFile.save(cnn(), Map.of(), dir);
        Files.write(dir.resolve(ModelFile.DESCRIPTION), "{not json".getBytes(StandardCharsets.UTF_8));
        KindlingException bad = assertThrows(KindlingException.class, () -> ModelFile.read(dir));
        assertTrue(bad.getMessage().contains("model.json") && bad.getMessage().contains("JSON"), bad.getMessage());
        assertFalse(bad.getMessage().isBlank());
    }
}
