package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A checkpoint carries a format version and checksums, and loading one verifies them all. */
public class CheckpointIntegrityTest {
    static final NetworkSpec SPEC = NetworkSpec.mlp("784-8-10", "he", 0.0);

    static Checkpoint checkpoint() {
        Network net = Network.build(SPEC, Backends.create("auto"));
        net.initialize(5);
        float[] opt = new float[2 * net.parameters().length];
        for (int i = 0; i < opt.length; i++) {
            opt[i] = i * 0.001f;
        }
        return new Checkpoint(SPEC, 4, 4, 0, 4, false, 1.0, Double.NaN, 0, 3, "sync", 1, 1000, 50,
                net.parameters().clone(), net.state().clone(), opt);
    }

    @Test
    void roundTripsUnchanged() {
        Checkpoint c = checkpoint();
        Checkpoint back = Checkpoint.parse("ckpt", c.files());
        assertArrayEquals(c.parameters(), back.parameters());
        assertArrayEquals(c.optimizerState(), back.optimizerState());
        assertEquals(c.round(), back.round());
    }

    @Test
    void refusesAFlippedByteInTheOptimizerState() {
        Map<String, byte[]> files = new LinkedHashMap<>(checkpoint().files());
        byte[] opt = files.get(Checkpoint.OPTIMIZER).clone();
        opt[opt.length / 2] ^= 0x10;
        files.put(Checkpoint.OPTIMIZER, opt);
        KindlingException e = assertThrows(KindlingException.class, () -> Checkpoint.parse("ckpt", files));
        assertTrue(e.getMessage().contains("ckpt/optimizer.bin") && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void refusesAFlippedByteInTheWeights() {
        Map<String, byte[]> files = new LinkedHashMap<>(checkpoint().files());
        byte[] w = files.get(ModelFile.WEIGHTS).clone();
        w[w.length / 3] ^= 0x01;
        files.put(ModelFile.WEIGHTS, w);
        KindlingException e = assertThrows(KindlingException.class, () -> Checkpoint.parse("ckpt", files));
        assertTrue(e.getMessage().contains(ModelFile.WEIGHTS) && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void refusesAnotherFormatVersion() {
        Map<String, byte[]> files = new LinkedHashMap<>(checkpoint().files());
        String pos = new String(files.get(Checkpoint.POSITION), StandardCharsets.UTF_8)
                .replace("\"version\" : 1", "\"version\" : 2");
        files.put(Checkpoint.POSITION, pos.getBytes(StandardCharsets.UTF_8));
        KindlingException e = assertThrows(KindlingException.class, () -> Checkpoint.parse("ckpt", files));
        assertTrue(e.getMessage().contains("\"version\" is 2"), e.getMessage());
    }

    @Test
    void namesAFieldMissingFromThePosition() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>(checkpoint().files());
        ObjectNode pos = (ObjectNode) Json.JSON.readTree(files.get(Checkpoint.POSITION));
        pos.remove("local_steps");
        files.put(Checkpoint.POSITION, Json.JSON.writeValueAsBytes(pos));
        KindlingException e = assertThrows(KindlingException.class, () -> Checkpoint.parse("ckpt", files));
        assertEquals("ckpt/checkpoint.json: field \"local_steps\" is missing", e.getMessage());
    }

    @Test
    void namesAPositionFieldOfTheWrongType() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>(checkpoint().files());
        ObjectNode pos = (ObjectNode) Json.JSON.readTree(files.get(Checkpoint.POSITION));
        pos.put("round", "four");
        files.put(Checkpoint.POSITION, Json.JSON.writeValueAsBytes(pos));
        KindlingException e = assertThrows(KindlingException.class, () -> Checkpoint.parse("ckpt", files));
        assertEquals("ckpt/checkpoint.json: field \"round\": \"four\" is not a whole number", e.getMessage());
    }

    @Test
    void writesNoJavaSerialization() {
        // Java serialization streams start with 0xACED; no checkpoint file does.
        for (Map.Entry<String, byte[]> f : checkpoint().files().entrySet()) {
            byte[] b = f.getValue();
            assertTrue(b.length < 2 || !(b[0] == (byte) 0xAC && b[1] == (byte) 0xED), f.getKey());
        }
    }
}
