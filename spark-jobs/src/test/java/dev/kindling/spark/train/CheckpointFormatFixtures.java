package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kindling.backend.Backends;
import dev.kindling.io.Json;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the checked-in checkpoints that {@link CheckpointFormatCompatibilityTest} reads: for
 * each fixture, {@code formats/v<Checkpoint.VERSION>/<name>/checkpoint/} as {@link RunOutput}
 * saves it and {@code <name>/expected.json}, every value the checkpoint holds. Skipped unless
 * asked for; run it once per new checkpoint version, never over a released version's files:
 *
 * <pre>mvn -o -q -B -pl spark-jobs -am test -Dtest=CheckpointFormatFixtures
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dkindling.formats.write=true</pre>
 */
class CheckpointFormatFixtures {
    static final String EXPECTED = "expected.json";

    /** A checkpoint's values, written apart from the checkpoint's own files; NaN best loss as null. */
    record Expected(NetworkSpec network, long round, long step, int epoch, long position, boolean epochComplete,
                    double elapsedSeconds, Double bestLoss, int bestEpoch, long seed, String mode, int localSteps,
                    int examples, int batch, float[] parameters, float[] state, float[] optimizerState) {

        static Expected of(Checkpoint c) {
            return new Expected(c.spec(), c.round(), c.step(), c.epoch(), c.position(), c.epochComplete(),
                    c.elapsedSeconds(), Double.isNaN(c.bestLoss()) ? null : c.bestLoss(), c.bestEpoch(), c.seed(),
                    c.mode(), c.localSteps(), c.examples(), c.batch(), c.parameters(), c.state(), c.optimizerState());
        }

        Checkpoint toCheckpoint() {
            return new Checkpoint(network, round, step, epoch, position, epochComplete, elapsedSeconds,
                    bestLoss == null ? Double.NaN : bestLoss, bestEpoch, seed, mode, localSteps, examples, batch,
                    parameters, state, optimizerState);
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "kindling.formats.write", matches = "true")
    void write() throws IOException {
        Path version = Path.of("src/test/resources/formats/v" + Checkpoint.VERSION);
        assertFalse(Files.exists(version), version + " exists: a released format's files are never rewritten");
        // Sync mode, cut short in the first epoch: no best loss yet; Adam's two floats per parameter.
        write(version.resolve("mid-epoch"), new Checkpoint(SPEC, 7, 7, 0, 7, false, 1.5, Double.NaN, 0, 3, "sync",
                1, 1000, 50, parameters(21), state(), optimizerState(2, 0.001f)));
        // Local mode, the second epoch evaluated: a best loss; Momentum's one float per parameter.
        write(version.resolve("epoch-end"), new Checkpoint(SPEC, 8, 40, 1, 20, true, 12.25, 0.6931471805599453, 1, 9,
                "local", 5, 1000, 50, parameters(22), state(), optimizerState(1, -0.01f)));
    }

    /** A 4-3-2 MLP with BatchNorm after the hidden layer: 29 parameters, 6 state floats. */
    static final NetworkSpec SPEC = new NetworkSpec(Shape.vector(4), List.of(new LayerSpec.Dense(3, "he"),
            new LayerSpec.BatchNorm(null, null), new LayerSpec.Relu(), new LayerSpec.Dense(2, "he")),
            "softmax-cross-entropy");

    private static float[] parameters(long seed) {
        Network net = Network.build(SPEC, Backends.create("loop"));
        net.initialize(seed);
        return net.parameters().clone();
    }

    private static float[] state() {
        return new float[] {0.125f, -0.25f, 0.5f, 1.5f, 0.75f, 2.0f};
    }

    private static float[] optimizerState(int perParameter, float scale) {
        float[] state = new float[perParameter * parameters(0).length];
        for (int i = 0; i < state.length; i++) {
            state[i] = scale * (i + 1);
        }
        return state;
    }

    private static void write(Path fixture, Checkpoint c) throws IOException {
        // Hadoop's raw local file system writes no .crc side files: only the checkpoint's own are checked in.
        Configuration conf = new Configuration();
        conf.set("fs.file.impl", RawLocalFileSystem.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        try (RunOutput out = RunOutput.open(fixture.toAbsolutePath().toUri().toString(), conf, false, false)) {
            out.start();
            out.save(c);
        }
        try (Stream<Path> files = Files.list(fixture.resolve(RunOutput.CHECKPOINT))) {
            assertEquals(4, files.count(), "model.json, weights.bin, optimizer.bin and checkpoint.json");
        }
        Files.write(fixture.resolve(EXPECTED), Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(Expected.of(c)));
    }
}
