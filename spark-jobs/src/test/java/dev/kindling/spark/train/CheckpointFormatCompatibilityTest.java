package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.io.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints written by an earlier Kindling still resume. {@code src/test/resources/formats/v1/}
 * holds, per fixture, a run directory whose {@code checkpoint/} version 1 of {@link Checkpoint}
 * wrote through {@link RunOutput}, and {@code expected.json}, every value it holds.
 * {@link CheckpointFormatFixtures} wrote them; they are never regenerated, since the point is
 * that they come from the past. A new checkpoint version gets a new {@code v<N>} folder.
 */
class CheckpointFormatCompatibilityTest {

    @ParameterizedTest
    @ValueSource(strings = {"v1/mid-epoch", "v1/epoch-end"})
    void loadsWithEveryValueItWasWrittenWith(String fixture) throws Exception {
        Path run = resource("formats/" + fixture);
        CheckpointFormatFixtures.Expected expected = expected(run);
        Checkpoint c = RunOutput.open(run.toUri().toString(), new Configuration(), false, true).load();

        assertEquals(expected.network(), c.spec(), "network");
        assertEquals(expected.round(), c.round(), "round");
        assertEquals(expected.step(), c.step(), "step");
        assertEquals(expected.epoch(), c.epoch(), "epoch");
        assertEquals(expected.position(), c.position(), "position");
        assertEquals(expected.epochComplete(), c.epochComplete(), "epoch complete");
        assertEquals(expected.elapsedSeconds(), c.elapsedSeconds(), "elapsed seconds");
        assertEquals(expected.bestLoss() == null ? Double.NaN : expected.bestLoss(), c.bestLoss(), "best loss");
        assertEquals(expected.bestEpoch(), c.bestEpoch(), "best epoch");
        assertEquals(expected.seed(), c.seed(), "seed");
        assertEquals(expected.mode(), c.mode(), "mode");
        assertEquals(expected.localSteps(), c.localSteps(), "local steps");
        assertEquals(expected.examples(), c.examples(), "examples");
        assertEquals(expected.batch(), c.batch(), "batch");
        assertArrayEquals(expected.parameters(), c.parameters(), "parameters");
        assertArrayEquals(expected.state(), c.state(), "network state");
        assertArrayEquals(expected.optimizerState(), c.optimizerState(), "optimizer state");
    }

    /**
     * Today's writer, given the same values, writes the same files byte for byte. This holds for
     * the newest version's fixtures only: a new version keeps reading the old ones, not writing them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"v1/mid-epoch", "v1/epoch-end"})
    void isWhatTodaysWriterWrites(String fixture) throws Exception {
        Path run = resource("formats/" + fixture);
        Map<String, String> written = text(expected(run).toCheckpoint().files());
        Map<String, String> checkedIn = new TreeMap<>();
        try (Stream<Path> files = Files.list(run.resolve(RunOutput.CHECKPOINT))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                checkedIn.put(name, readable(name, Files.readAllBytes(f)));
            }
        }
        assertEquals(checkedIn, written);
    }

    private static CheckpointFormatFixtures.Expected expected(Path run) throws IOException {
        return Json.JSON.readValue(run.resolve(CheckpointFormatFixtures.EXPECTED).toFile(),
                CheckpointFormatFixtures.Expected.class);
    }

    /** The files by name, JSON as text and the rest as hex, so a difference shows readably. */
    private static Map<String, String> text(Map<String, byte[]> files) {
        Map<String, String> out = new TreeMap<>();
        files.forEach((name, bytes) -> out.put(name, readable(name, bytes)));
        return out;
    }

    private static String readable(String name, byte[] bytes) {
        if (name.endsWith(".json")) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return HexFormat.of().formatHex(bytes);
    }

    private static Path resource(String name) throws IOException, URISyntaxException {
        var url = CheckpointFormatCompatibilityTest.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IOException(name + ": not on the test class path");
        }
        return Path.of(url.toURI());
    }
}
