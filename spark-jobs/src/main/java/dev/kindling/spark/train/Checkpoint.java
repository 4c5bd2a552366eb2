package dev.kindling.spark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.KindlingException;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.NetworkSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Everything a run needs to continue exactly where it stopped: parameters, network state,
 * optimizer state, the round and step counts, and the position in the epoch order (which is
 * replayed from the seed, so the position is all the RNG state there is; dropout noise is
 * seeded per round and shard).
 *
 * <p>On disk a checkpoint is a directory: {@code model.json} + {@code weights.bin} exactly as
 * {@link ModelFile} writes them (so a checkpoint also loads as a model), {@code optimizer.bin}
 * (the optimizer state, float32 little-endian) and {@code checkpoint.json} (the position, the
 * run's settings it must match, and a CRC-32 of the optimizer state). No Java serialization.
 *
 * @param position       steps taken in epoch {@code epoch}
 * @param epochComplete  whether epoch {@code epoch} has been evaluated and reported
 * @param bestLoss       the lowest monitored loss so far (NaN before the first epoch ends)
 */
public record Checkpoint(NetworkSpec spec, long round, long step, int epoch, long position, boolean epochComplete,
                  double elapsedSeconds, double bestLoss, int bestEpoch, long seed, String mode, int localSteps,
                  int examples, int batch, float[] parameters, float[] state, float[] optimizerState) {

    static final String FORMAT = "kindling-checkpoint";
    static final int VERSION = 1;
    public static final String POSITION = "checkpoint.json";
    static final String OPTIMIZER = "optimizer.bin";

    /** The checkpoint's files by name. */
    Map<String, byte[]> files() {
        byte[] weights = ModelFile.weights(parameters, state);
        byte[] optimizer = ModelFile.weights(optimizerState, new float[0]);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("checkpoint_round", round);
        ObjectNode root = Json.JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("round", round);
        root.put("step", step);
        root.put("epoch", epoch);
        root.put("position", position);
        root.put("epoch_complete", epochComplete);
        root.put("elapsed_seconds", elapsedSeconds);
        if (Double.isFinite(bestLoss)) {
            root.put("best_loss", bestLoss);
        } else {
            root.putNull("best_loss");
        }
        root.put("best_epoch", bestEpoch);
        root.put("seed", seed);
        root.put("mode", mode);
        root.put("local_steps", localSteps);
        root.put("examples", examples);
        root.put("batch", batch);
        root.put("optimizer_state", optimizerState.length);
        root.put("optimizer_checksum", crc(optimizer));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(ModelFile.WEIGHTS, weights);
        files.put(ModelFile.DESCRIPTION, ModelFile.description(spec, parameters.length, state.length, weights, meta));
        files.put(OPTIMIZER, optimizer);
        try {
            files.put(POSITION, Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return files;
    }

    /** Parses and verifies a checkpoint from its files; {@code where} names it in errors. */
    static Checkpoint parse(String where, Map<String, byte[]> files) {
        for (String name : new String[] {ModelFile.DESCRIPTION, ModelFile.WEIGHTS, OPTIMIZER, POSITION}) {
            if (!files.containsKey(name)) {
                throw new KindlingException(where + ": incomplete checkpoint, " + name + " is missing");
            }
        }
        ModelFile.Contents model = ModelFile.parse(where + "/" + ModelFile.DESCRIPTION, files.get(ModelFile.DESCRIPTION),
                where + "/" + ModelFile.WEIGHTS, files.get(ModelFile.WEIGHTS));
        String posName = where + "/" + POSITION;
        JsonNode root;
        try {
            root = Json.JSON.readTree(files.get(POSITION));
        } catch (IOException e) {
            throw new KindlingException(posName + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        if (root == null || !FORMAT.equals(root.path("format").asText(null))) {
            throw new KindlingException(posName + ": field \"format\" is not \"" + FORMAT + "\"");
        }
        if (root.path("version").asInt(-1) != VERSION) {
            throw new KindlingException(posName + ": field \"version\" is " + root.path("version")
                    + "; this Kindling reads version " + VERSION);
        }
        byte[] optimizer = files.get(OPTIMIZER);
        int optFloats = root.path("optimizer_state").asInt(-1);
        if (optFloats < 0 || optimizer.length != 4L * optFloats) {
            throw new KindlingException(where + "/" + OPTIMIZER + ": " + optimizer.length + " bytes, expected 4 x "
                    + optFloats + "; the checkpoint is truncated");
        }
        if (!crc(optimizer).equals(root.path("optimizer_checksum").asText(""))) {
            throw new KindlingException(where + "/" + OPTIMIZER + ": checksum does not match " + posName
                    + "; the checkpoint is corrupted");
        }
        float[] optState = new float[optFloats];
        ByteBuffer.wrap(optimizer).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(optState);
        JsonNode best = root.path("best_loss");
        return new Checkpoint(model.spec(), need(root, "round", posName).asLong(), need(root, "step", posName).asLong(),
                need(root, "epoch", posName).asInt(), need(root, "position", posName).asLong(),
                need(root, "epoch_complete", posName).asBoolean(), need(root, "elapsed_seconds", posName).asDouble(),
                best.isNumber() ? best.asDouble() : Double.NaN, root.path("best_epoch").asInt(0),
                need(root, "seed", posName).asLong(), need(root, "mode", posName).asText(),
                need(root, "local_steps", posName).asInt(), need(root, "examples", posName).asInt(),
                need(root, "batch", posName).asInt(), model.parameters(), model.state(), optState);
    }

    private static JsonNode need(JsonNode root, String field, String where) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            throw new KindlingException(where + ": field \"" + field + "\" is missing");
        }
        return v;
    }

    private static String crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("crc32:%08x", crc.getValue());
    }
}
