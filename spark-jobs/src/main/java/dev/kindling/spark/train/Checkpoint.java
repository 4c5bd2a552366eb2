package dev.kindling.spark.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
 * (the optimizer state, float32 little-endian) and {@code checkpoint.json} ({@link CheckpointJson}: the
 * position, the run's settings it must match, and a CRC-32 of the optimizer state). No Java serialization.
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
        CheckpointJson json = new CheckpointJson(FORMAT, VERSION, round, step, epoch, position,
                epochComplete, elapsedSeconds, Double.isFinite(bestLoss) ? bestLoss : null, bestEpoch, seed, mode,
                localSteps, examples, batch, optimizerState.length, crc(optimizer));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(ModelFile.WEIGHTS, weights);
        files.put(ModelFile.DESCRIPTION, ModelFile.description(spec, parameters.length, state.length, weights, meta));
        files.put(OPTIMIZER, optimizer);
        try {
            files.put(POSITION, Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
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
        // The format and version, checked on the tree, say which layout to bind.
        CheckpointJson json;
        try {
            json = Json.JSON.treeToValue(root, CheckpointJson.class);
        } catch (JsonProcessingException e) {
            throw Json.error(posName, e);
        }
        byte[] optimizer = files.get(OPTIMIZER);
        int optFloats = json.optimizerState() == null ? -1 : json.optimizerState();
        if (optFloats < 0 || optimizer.length != 4L * optFloats) {
            throw new KindlingException(where + "/" + OPTIMIZER + ": " + optimizer.length + " bytes, expected 4 x "
                    + optFloats + "; the checkpoint is truncated");
        }
        if (!crc(optimizer).equals(json.optimizerChecksum())) {
            throw new KindlingException(where + "/" + OPTIMIZER + ": checksum does not match " + posName
                    + "; the checkpoint is corrupted");
        }
        float[] optState = new float[optFloats];
        ByteBuffer.wrap(optimizer).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(optState);
        return new Checkpoint(model.spec(), need(json.round(), "round", posName),
                need(json.step(), "step", posName), need(json.epoch(), "epoch", posName),
                need(json.position(), "position", posName),
                need(json.epochComplete(), "epoch_complete", posName),
                need(json.elapsedSeconds(), "elapsed_seconds", posName),
                json.bestLoss() == null ? Double.NaN : json.bestLoss(),
                json.bestEpoch() == null ? 0 : json.bestEpoch(), need(json.seed(), "seed", posName),
                need(json.mode(), "mode", posName), need(json.localSteps(), "local_steps", posName),
                need(json.examples(), "examples", posName), need(json.batch(), "batch", posName),
                model.parameters(), model.state(), optState);
    }

    private static <T> T need(T value, String field, String where) {
        if (value == null) {
            throw new KindlingException(where + ": field \"" + field + "\" is missing");
        }
        return value;
    }

    private static String crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("crc32:%08x", crc.getValue());
    }
}
