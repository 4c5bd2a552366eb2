package dev.kindling.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.KindlingException;
import dev.kindling.backend.Backend;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The saved model: a directory with {@code model.json} (format name and version, the network
 * description, vector sizes, a CRC-32 of the weights, free-form metadata) and
 * {@code weights.bin} (the flat parameter vector then the state vector, float32 little-endian).
 * Nothing is Java-serialised, so loading an untrusted file can only fail, never run code.
 */
public final class ModelFile {
    public static final String FORMAT = "kindling-model";
    public static final int VERSION = 1;
    public static final String DESCRIPTION = "model.json";
    public static final String WEIGHTS = "weights.bin";
    /** The model's directory in a training run's output: OUT/model. */
    public static final String IN_RUN = "model";

    /** What a model file holds. */
    public record Contents(NetworkSpec spec, float[] parameters, float[] state, Map<String, Object> metadata) {
    }

    private ModelFile() {
    }

    /** Saves atomically: a crash mid-save leaves the previous model in place. */
    public static void save(Network net, Map<String, Object> metadata, Path dir) {
        byte[] weights = weights(net.parameters(), net.state());
        byte[] description = description(net.spec(), net.parameters().length, net.state().length, weights, metadata);
        try {
            AtomicFiles.writeDirectory(dir, tmp -> {
                Files.write(tmp.resolve(WEIGHTS), weights);
                Files.write(tmp.resolve(DESCRIPTION), description);
            });
        } catch (IOException e) {
            throw new KindlingException(dir + ": cannot save the model: " + e, e);
        }
    }

    /** The little-endian bytes of the parameters followed by the state. */
    public static byte[] weights(float[] params, float[] state) {
        ByteBuffer buf = ByteBuffer.allocate(4 * (params.length + state.length)).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(params).put(state);
        return buf.array();
    }

    public static byte[] description(NetworkSpec spec, int params, int state, byte[] weights, Map<String, Object> metadata) {
        ObjectNode root = Json.JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.set("network", Json.JSON.valueToTree(spec));
        root.put("parameters", params);
        root.put("state", state);
        root.put("checksum", checksum(weights));
        root.set("metadata", Json.JSON.valueToTree(metadata == null ? Map.of() : metadata));
        try {
            return Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String checksum(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("crc32:%08x", crc.getValue());
    }

    public static Contents read(Path dir) {
        Path descFile = dir.resolve(DESCRIPTION);
        Path weightsFile = dir.resolve(WEIGHTS);
        byte[] desc;
        byte[] weights;
        try {
            if (!Files.isDirectory(dir)) {
                throw new KindlingException(dir + ": no model here (not a directory)");
            }
            Path inRun = dir.resolve(IN_RUN);
            if (!Files.exists(descFile) && Files.exists(inRun.resolve(DESCRIPTION))) {
                throw new KindlingException(runNotModel(dir.toString(), inRun.toString()));
            }
            desc = Files.readAllBytes(descFile);
            weights = Files.readAllBytes(weightsFile);
        } catch (NoSuchFileException e) {
            throw new KindlingException(e.getFile() + ": missing; a model directory holds "
                    + DESCRIPTION + " and " + WEIGHTS);
        } catch (IOException e) {
            throw new KindlingException(dir + ": cannot read the model: " + e, e);
        }
        return parse(descFile.toString(), desc, weightsFile.toString(), weights);
    }

    /**
     * The message for {@code --model} naming a run's output directory instead of the model in it,
     * {@code model}: the one place the two are confused, and the fix is one path away.
     */
    public static String runNotModel(String run, String model) {
        return run + ": a run directory, not a model; its model is " + model + " (--model " + model + ")";
    }

    /** Parses and verifies a model from its two files' bytes; the names appear in errors. */
    public static Contents parse(String descName, byte[] desc, String weightsName, byte[] weights) {
        JsonNode root;
        try {
            root = Json.JSON.readTree(desc);
        } catch (IOException e) {
            throw new KindlingException(descName + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        if (root == null || !root.isObject()) {
            throw new KindlingException(descName + ": not a model description (expected a JSON object)");
        }
        String format = root.path("format").asText(null);
        if (!FORMAT.equals(format)) {
            throw new KindlingException(descName + ": field \"format\" is " + root.path("format")
                    + ", expected \"" + FORMAT + "\"");
        }
        int version = root.path("version").asInt(-1);
        if (version != VERSION) {
            throw new KindlingException(descName + ": field \"version\" is " + root.path("version")
                    + "; this Kindling reads version " + VERSION);
        }
        NetworkSpec spec;
        try {
            spec = Json.JSON.treeToValue(root.path("network"), NetworkSpec.class);
        } catch (JsonProcessingException e) {
            throw Json.error(descName + " (network)", e);
        } catch (KindlingException e) {
            throw new KindlingException(descName + ": " + e.getMessage(), e);
        }
        int params = root.path("parameters").asInt(-1);
        int state = root.path("state").asInt(-1);
        if (params < 0 || state < 0) {
            throw new KindlingException(descName + ": fields \"parameters\" and \"state\" must be counts >= 0");
        }
        long expectedBytes = 4L * (params + (long) state);
        if (weights.length != expectedBytes) {
            throw new KindlingException(weightsName + ": " + weights.length + " bytes, expected " + expectedBytes
                    + " (" + params + " parameters + " + state + " state floats); the file is truncated or belongs to another model");
        }
        String want = root.path("checksum").asText("");
        String got = checksum(weights);
        if (!want.equals(got)) {
            throw new KindlingException(weightsName + ": checksum " + got + " does not match " + want
                    + " recorded in " + descName + "; the weights are corrupted");
        }
        FloatBufferView view = new FloatBufferView(weights);
        float[] p = view.next(params);
        float[] s = view.next(state);
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (root.has("metadata")) {
            metadata = Json.JSON.convertValue(root.get("metadata"), Map.class);
        }
        return new Contents(spec, p, s, metadata);
    }

    /** Loads a model and builds its network, checking the vectors fit the architecture. */
    public static Network load(Path dir, Backend backend) {
        return toNetwork(dir.toString(), read(dir), backend);
    }

    public static Network toNetwork(String source, Contents c, Backend backend) {
        Network net = Network.build(c.spec(), backend);
        if (net.parameters().length != c.parameters().length || net.state().length != c.state().length) {
            throw new KindlingException(source + ": the network in " + DESCRIPTION + " needs "
                    + net.parameters().length + " parameters and " + net.state().length
                    + " state floats, but the model records " + c.parameters().length + " and " + c.state().length + " (" + DESCRIPTION + " and " + WEIGHTS
                    + " are of different models)");
        }
        System.arraycopy(c.parameters(), 0, net.parameters(), 0, c.parameters().length);
        System.arraycopy(c.state(), 0, net.state(), 0, c.state().length);
        return net;
    }

    private static final class FloatBufferView {
        private final java.nio.FloatBuffer floats;

        FloatBufferView(byte[] bytes) {
            floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        }

        float[] next(int n) {
            float[] out = new float[n];
            floats.get(out);
            return out;
        }
    }
}
