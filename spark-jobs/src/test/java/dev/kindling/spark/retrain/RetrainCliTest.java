package dev.kindling.spark.retrain;

import dev.kindling.spark.Cli;

import dev.kindling.spark.TestSpark;

import static dev.kindling.spark.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kindling retrain} end to end on local[2], with the registry on a Hadoop path (file://). */
public class RetrainCliTest {
    static final String DATA = TestSpark.fashionMnist().toString();

    @TempDir
    Path tmp;

    @BeforeAll
    static void noSharedContext() {
        TestSpark.stop();
    }

    private Cli.Result retrain(Path registry, String id, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("retrain", "--registry", registry.toUri().toString(),
                "--data", DATA, "--run-id", id, "--master", "local[2]", "--partitions", "2"));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    private static JsonNode record(Path registry, String id) throws Exception {
        return Json.JSON.readTree(registry.resolve("runs").resolve(id + ".json").toFile());
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void promotesOnlyWhatBeatsCurrentWarmStartsAndRecordsEveryRun() throws Exception {
        Path reg = tmp.resolve("registry");
        Cli.Result first = retrain(reg, "r1", "--limit", "3000", "--epochs", "1", "--config",
                Files.writeString(tmp.resolve("job.yaml"), "arch: 784-30-10\nseed: 3\n").toString());
        assertEquals(0, first.code(), first.out() + first.err());
        assertTrue(first.out().contains("empty registry: training from scratch"), first.out());
        assertEquals("v1", Files.readString(reg.resolve("CURRENT")).trim());
        JsonNode r1 = record(reg, "r1");
        assertEquals("promoted", r1.get("decision").asText());
        assertTrue(r1.get("parent").isNull());
        double v1Accuracy = r1.at("/metrics/candidate/accuracy").asDouble();
        assertTrue(v1Accuracy > 0.4, "well above chance (0.1): " + r1);

        // the same run id again: the recorded decision, nothing trained or written
        List<String> before = listing(reg);
        Cli.Result again = retrain(reg, "r1", "--limit", "3000", "--epochs", "1");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("already recorded"), again.out());
        assertEquals(before, listing(reg));

        // a warm start with a learning rate too small to move: the candidate is CURRENT, within a hair,
        // which a network trained from scratch for one epoch could not be; not better by 0.01: kept
        Cli.Result kept = retrain(reg, "r2", "--limit", "1000", "--epochs", "1", "--lr", "1e-9", "--margin", "0.01");
        assertEquals(RetrainCommand.EXIT_KEPT, kept.code(), kept.out() + kept.err());
        assertTrue(kept.out().contains("warm start from v1"), kept.out());
        JsonNode r2 = record(reg, "r2");
        assertEquals("kept", r2.get("decision").asText());
        assertEquals("v1", r2.get("parent").asText());
        assertEquals(v1Accuracy, r2.at("/metrics/current/accuracy").asDouble(), 1e-12, "CURRENT on the same holdout");
        assertEquals(v1Accuracy, r2.at("/metrics/candidate/accuracy").asDouble(), 2e-3);
        assertEquals("v1", Files.readString(reg.resolve("CURRENT")).trim());
        assertFalse(Files.exists(reg.resolve("v2")));

        // more data, replayed too, and more epochs: better, promoted as v2 with v1 as its parent
        Cli.Result better = retrain(reg, "r3", "--limit", "20000", "--epochs", "2", "--replay", DATA,
                "--replay-fraction", "0.2");
        assertEquals(0, better.code(), better.out() + better.err());
        JsonNode r3 = record(reg, "r3");
        assertEquals("promoted", r3.get("decision").asText(), r3.toString());
        assertEquals("v2", r3.get("version").asText());
        assertEquals("v1", r3.get("parent").asText());
        assertEquals(25_000, r3.at("/data/training_examples").asInt(), "20,000 new and 5,000 replayed");
        assertTrue(r3.at("/metrics/candidate/accuracy").asDouble() > r3.at("/metrics/current/accuracy").asDouble());
        assertEquals("v2", Files.readString(reg.resolve("CURRENT")).trim());
        JsonNode v2 = Json.JSON.readTree(reg.resolve("v2/model.json").toFile());
        assertEquals("v1", v2.at("/metadata/parent").asText(), v2.toString());

        // another run holds the lock: this one changes nothing and says so
        ModelRegistry registry = new ModelRegistry(org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(reg.toString()));
        assertTrue(registry.tryLock("another run", 60_000));
        List<String> locked = listing(reg);
        Cli.Result busy = retrain(reg, "r4", "--limit", "1000", "--epochs", "1");
        assertEquals(RetrainCommand.EXIT_LOCKED, busy.code(), busy.out() + busy.err());
        assertTrue(busy.err().contains("LOCK"), busy.err());
        assertEquals(locked, listing(reg));
        registry.unlock();
    }
}
