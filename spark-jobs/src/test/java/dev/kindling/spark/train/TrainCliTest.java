package dev.kindling.spark.train;

import static dev.kindling.spark.Cli.assertRefused;
import static dev.kindling.spark.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.backend.BlasBackend;
import dev.kindling.backend.OpenBlasKernels;
import dev.kindling.cli.Main;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.spark.Cli;
import dev.kindling.spark.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kindling train} on Spark end to end: real data, real files, exit codes and messages. */
public class TrainCliTest {
    static final String DATA = TestSpark.fashionMnist().toString();

    @TempDir
    Path tmp;

    @BeforeAll
    static void noSharedContext() {
        TestSpark.stop(); // the CLI starts its own Spark, and a JVM holds one at a time
    }

    public static List<JsonNode> lines(Path metrics, String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode node = Json.JSON.readTree(line);
            if (type.equals(node.path("type").asText())) {
                out.add(node);
            }
        }
        return out;
    }

    /**
     * The executors' OpenBLAS kernels, told once per run where backend auto computes on OpenBLAS:
     * on local[2] the one executor is the driver's JVM, so its report is this JVM's.
     */
    static void assertKernelsToldOnce(String out) {
        String told = "kindling: OpenBLAS on ";
        int times = out.split(java.util.regex.Pattern.quote(told), -1).length - 1;
        if (!BlasBackend.isAvailable()) {
            assertEquals(0, times, out);
            return;
        }
        assertEquals(1, times, out);
        String line = OpenBlasKernels.current().line().substring("OpenBLAS: ".length());
        assertTrue(out.contains(told + "the executor (driver): " + line + System.lineSeparator()), out);
    }

    @Test
    void trainsOnLocal2WritingModelAndMetricsThenEvaluateReadsTheModel() throws Exception {
        Path out = tmp.resolve("run");
        Cli.Result r = run("train", "--data", DATA, "--out", out.toUri().toString(), "--master", "local[2]",
                "--arch", "784-50-10", "--epochs", "2", "--limit", "3000", "--partitions", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("epoch 2/2"), r.out());
        List<JsonNode> epochs = lines(out.resolve("metrics.jsonl"), "epoch");
        List<JsonNode> rounds = lines(out.resolve("metrics.jsonl"), "round");
        assertEquals(2, epochs.size());
        assertEquals(60, rounds.size()); // 3000 examples / batch 100, two epochs
        JsonNode last = epochs.get(1);
        for (String field : List.of("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                "examples_per_second", "elapsed_seconds")) {
            assertTrue(last.has(field), field + " in " + last);
        }
        // collective by default on local[2] with 2 shards: the rest of a round is the exchange
        assertTrue(r.out().contains("collective exchange"), r.out());
        assertKernelsToldOnce(r.out());
        for (String field : List.of("round", "compute_ms", "exchange_ms", "round_ms", "loss")) {
            assertTrue(rounds.get(59).has(field), field + " in " + rounds.get(59));
        }
        assertFalse(rounds.get(59).has("broadcast_ms"), "no broadcast per round: " + rounds.get(59));
        assertEquals(60, rounds.get(59).get("round").asInt());
        List<JsonNode> segments = lines(out.resolve("metrics.jsonl"), "segment");
        assertEquals(60, segments.stream().mapToInt(s -> s.get("rounds").asInt()).sum(), "segments cover the rounds");
        for (JsonNode s : segments) {
            assertEquals(2, s.get("tasks").asInt(), s.toString());
            assertTrue(s.get("bytes_per_task_per_round").asLong() >= 4L * 39_760, "at least 2(N-1)/N of the "
                    + "784-50-10 network's 39,760 parameters as floats: " + s);
        }
        assertTrue(last.get("test_accuracy").asDouble() > 0.7, last.toString());
        assertTrue(Files.exists(out.resolve("model/model.json")));
        assertTrue(Files.exists(out.resolve("config.json")));
        assertTrue(Files.exists(out.resolve("checkpoint/checkpoint.json")), "a checkpoint per epoch by default");

        Cli.Result e = run("evaluate", "--model", out.resolve("model").toString(), "--data", DATA);
        assertEquals(0, e.code(), e.err());
        JsonNode eval = Json.JSON.readTree(e.out());
        assertEquals(last.get("test_accuracy").asDouble(), eval.get("accuracy").asDouble(), 1e-9);
    }

    @Test
    void theDriverExchangeOnAskingAndCollectiveRefusedWithMoreShardsThanSlots() throws Exception {
        Path out = tmp.resolve("driver-exchange");
        Cli.Result r = run("train", "--data", DATA, "--out", out.toString(), "--master", "local[2]",
                "--arch", "784-20-10", "--epochs", "1", "--limit", "1000", "--partitions", "2", "--exchange", "driver");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("driver exchange"), r.out());
        assertKernelsToldOnce(r.out());
        JsonNode round = lines(out.resolve("metrics.jsonl"), "round").get(9);
        for (String field : List.of("broadcast_ms", "compute_ms", "aggregate_ms", "update_ms", "round_ms")) {
            assertTrue(round.has(field), field + " in " + round);
        }
        assertTrue(lines(out.resolve("metrics.jsonl"), "segment").isEmpty());

        Cli.Result refused = run("train", "--data", DATA, "--out", tmp.resolve("refused").toString(), "--master",
                "local[2]", "--arch", "784-20-10", "--epochs", "1", "--limit", "1000", "--partitions", "3",
                "--exchange", "collective");
        assertEquals(2, refused.code(), refused.out() + refused.err());
        assertTrue(refused.err().contains("3 shards") && refused.err().contains("2 task slots"), refused.err());

        Cli.Result fellBack = run("train", "--data", DATA, "--out", tmp.resolve("fallback").toString(), "--master",
                "local[2]", "--arch", "784-20-10", "--epochs", "1", "--limit", "1000", "--partitions", "3");
        assertEquals(0, fellBack.code(), fellBack.out() + fellBack.err());
        assertTrue(fellBack.out().contains("exchange: driver, since") && fellBack.out().contains("3 shards"),
                fellBack.out());

        Cli.Result unknown = run("train", "--data", DATA, "--out", tmp.resolve("unknown").toString(), "--master",
                "local[2]", "--exchange", "ring");
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("exchange: unknown value \"ring\""), unknown.err());
    }

    @Test
    void resumingAFinishedRunWithMoreEpochsEqualsOneLongerRun() throws Exception {
        String[] base = {"train", "--data", DATA, "--master", "local[2]", "--arch", "784-20-10", "--limit", "1000",
                "--partitions", "2", "--optimizer", "momentum"};
        Path whole = tmp.resolve("whole");
        assertEquals(0, run(with(base, "--out", whole.toString(), "--epochs", "2")).code());
        Path parts = tmp.resolve("parts");
        assertEquals(0, run(with(base, "--out", parts.toString(), "--epochs", "1")).code());
        Cli.Result again = run(with(base, "--out", parts.toString(), "--epochs", "2"));
        assertRefused(again, Main.EXIT_USAGE, "already holds a run", "--resume");
        Cli.Result resumed = run(with(base, "--out", parts.toString(), "--epochs", "2", "--resume"));
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resuming from round 10"), resumed.out());
        List<JsonNode> a = lines(whole.resolve("metrics.jsonl"), "epoch");
        List<JsonNode> b = lines(parts.resolve("metrics.jsonl"), "epoch");
        assertEquals(2, b.size());
        assertEquals(20, lines(parts.resolve("metrics.jsonl"), "round").size());
        assertEquals(a.get(1).get("test_loss").asDouble(), b.get(1).get("test_loss").asDouble(), 1e-12);
        assertEquals(a.get(1).get("train_loss").asDouble(), b.get(1).get("train_loss").asDouble(), 1e-12);
    }

    @Test
    void resumeRefusesACheckpointWhoseBytesDoNotMatchItsChecksumsNamingTheFile() throws Exception {
        String[] base = {"train", "--data", DATA, "--master", "local[2]", "--arch", "784-20-10", "--limit", "1000",
                "--partitions", "2"};
        Path out = tmp.resolve("corrupt");
        assertEquals(0, run(with(base, "--out", out.toString(), "--epochs", "1")).code());
        Path checkpoint = out.resolve("checkpoint");
        JsonNode position = Json.JSON.readTree(checkpoint.resolve(Checkpoint.POSITION).toFile());
        assertEquals(Checkpoint.VERSION, position.get("version").asInt(), position.toString());
        assertTrue(position.get("optimizer_checksum").asText().startsWith("crc32:"), position.toString());
        byte[] model = Files.readAllBytes(out.resolve("model").resolve(ModelFile.WEIGHTS));
        for (String file : List.of(Checkpoint.OPTIMIZER, ModelFile.WEIGHTS)) {
            byte[] good = Files.readAllBytes(checkpoint.resolve(file));
            byte[] bad = good.clone();
            bad[bad.length / 2] ^= 0x04; // one bit of one float: still a number, only the checksum can tell
            Files.write(checkpoint.resolve(file), bad);
            // Hadoop's local file system keeps a CRC beside each file and checks it first ...
            Cli.Result r = run(with(base, "--out", out.toString(), "--epochs", "2", "--resume"));
            assertRefused(r, Main.EXIT_FAILED, "checkpoint/" + file, "Checksum error");
            // ... where there is none (a file system without them, a copy), the checkpoint's own
            Files.delete(checkpoint.resolve("." + file + ".crc"));
            r = run(with(base, "--out", out.toString(), "--epochs", "2", "--resume"));
            assertRefused(r, Main.EXIT_FAILED, "checkpoint/" + file, "checksum", "does not match", "corrupted");
            assertArrayEquals(bad, Files.readAllBytes(checkpoint.resolve(file)), "the checkpoint is left as found");
            assertArrayEquals(model, Files.readAllBytes(out.resolve("model").resolve(ModelFile.WEIGHTS)),
                    "the model is left as found");
            Files.write(checkpoint.resolve(file), good);
        }
        assertEquals(1, lines(out.resolve("metrics.jsonl"), "epoch").size(), "no epoch trained on a bad checkpoint");
        Cli.Result resumed = run(with(base, "--out", out.toString(), "--epochs", "2", "--resume"));
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
    }

    @Test
    void aResumeWithOtherSettingsIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path out = tmp.resolve("run");
        String[] base = {"train", "--data", DATA, "--out", out.toString(), "--master", "local[2]", "--arch",
            "784-20-10", "--limit", "1000", "--partitions", "2"};
        assertEquals(0, run(with(base, "--epochs", "1")).code());
        byte[] config = Files.readAllBytes(out.resolve(RunOutput.CONFIG));
        byte[] metrics = Files.readAllBytes(out.resolve(RunOutput.METRICS));
        List<String> files;
        try (var walk = Files.walk(out)) {
            files = walk.map(Path::toString).sorted().toList();
        }

        Cli.Result r = run(with(base, "--epochs", "2", "--batch", "50", "--resume"));
        assertRefused(r, Main.EXIT_USAGE, "resume", "batch 100", "50");
        assertArrayEquals(config, Files.readAllBytes(out.resolve(RunOutput.CONFIG)),
                "config.json still records the settings the run was trained with");
        assertArrayEquals(metrics, Files.readAllBytes(out.resolve(RunOutput.METRICS)));
        try (var walk = Files.walk(out)) {
            assertEquals(files, walk.map(Path::toString).sorted().toList());
        }
    }

    public static String[] with(String[] base, String... extra) {
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    Cli.Result train(String... extra) {
        return run(with(new String[] {"train", "--data", DATA, "--out", tmp.resolve("bad").toString(),
                "--master", "local[2]", "--limit", "200"}, extra));
    }

    @Test
    void badValuesOfTheDistributedOptionsNameTheField() throws Exception {
        assertRefused(train("--mode", "async"), Main.EXIT_USAGE, "mode", "async");
        assertRefused(train("--partitions", "0"), Main.EXIT_USAGE, "partitions", "0");
        assertRefused(train("--partitions", "-3"), Main.EXIT_USAGE, "partitions", "-3");
        assertRefused(train("--local-steps", "0"), Main.EXIT_USAGE, "local-steps", "0");
        assertRefused(train("--checkpoint-every", "-1"), Main.EXIT_USAGE, "checkpoint-every", "-1");
        assertRefused(train("--partitions", "two"), Main.EXIT_USAGE, "--partitions", "two");
        for (String master : List.of("local[0]", "cluster", "spark:/host")) {
            assertRefused(run("train", "--data", DATA, "--out", tmp.resolve("m").toString(), "--master", master),
                    Main.EXIT_USAGE, "master", master);
        }
        assertRefused(train("--resume"), Main.EXIT_USAGE, "resume", "no checkpoint");
        assertRefused(train("--resume", "--overwrite"), Main.EXIT_USAGE, "resume", "--overwrite");
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, "mode: asynchronous\n");
        assertRefused(train("--config", config.toString()), Main.EXIT_USAGE, "mode", "asynchronous");
    }

    @Test
    void refusesAnOutputHoldingARun() throws Exception {
        Path out = tmp.resolve("used");
        Files.createDirectories(out);
        Files.writeString(out.resolve("metrics.jsonl"), "{}\n");
        Cli.Result r = run("train", "--data", DATA, "--out", out.toString(), "--master", "local[2]");
        assertRefused(r, Main.EXIT_USAGE, "out", out.toString(), "already holds a run", "--overwrite");
        assertEquals("{}\n", Files.readString(out.resolve("metrics.jsonl")));
    }

    @Test
    void missingDataIsAFailedRunNamingThePath() {
        Cli.Result r = run("train", "--data", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("o").toString(),
                "--master", "local[2]");
        assertRefused(r, Main.EXIT_FAILED, "nowhere");
    }
}
