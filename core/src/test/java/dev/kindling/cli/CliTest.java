package dev.kindling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.backend.BlasBackend;
import dev.kindling.backend.OpenBlasKernels;
import dev.kindling.io.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher end to end: real files, real data, exit codes and messages. */
class CliTest {
    static final String DATA = dev.kindling.TestData.fashionMnist().toString();

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void trainWritesModelAndMetricsThenEvaluateReadsTheModel() throws Exception {
        Path out = tmp.resolve("run");
        Result r = run("train", "--data", DATA, "--out", out.toString(), "--master", "single",
                "--arch", "784-50-10", "--epochs", "2", "--limit", "3000");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch 2/2"), r.out());
        // backend auto computes on OpenBLAS where it loads, and then says which kernels it chose
        String kernels = BlasBackend.isAvailable() ? "kindling: " + OpenBlasKernels.current().line() : "OpenBLAS: ";
        assertEquals(BlasBackend.isAvailable(), r.out().contains(kernels + System.lineSeparator()), r.out());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        JsonNode last = Json.JSON.readTree(lines.get(1));
        for (String field : List.of("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                "examples_per_second", "elapsed_seconds")) {
            assertTrue(last.has(field), field + " in " + last);
        }
        assertTrue(last.get("test_accuracy").asDouble() > 0.7, last.toString());
        assertTrue(Files.exists(out.resolve("model/model.json")));
        assertTrue(Files.exists(out.resolve("config.json")));

        Result e = run("evaluate", "--model", out.resolve("model").toString(), "--data", DATA);
        assertEquals(0, e.code(), e.err());
        assertEquals(BlasBackend.isAvailable(), e.err().contains(kernels), e.err()); // stdout holds the JSON alone
        JsonNode eval = Json.JSON.readTree(e.out());
        assertEquals(last.get("test_accuracy").asDouble(), eval.get("accuracy").asDouble(), 1e-9);
        assertTrue(eval.has("loss"));
    }

    @Test
    void trainsACnnFromAConfigFile() throws Exception {
        Path config = tmp.resolve("cnn.yaml");
        Files.writeString(config, String.join("\n",
                "network:",
                "  input: [1, 28, 28]",
                "  layers:",
                "    - {type: conv, filters: 8, kernel: 5}",
                "    - {type: relu}",
                "    - {type: maxpool, size: 2}",
                "    - {type: flatten}",
                "    - {type: dense, units: 10}",
                "optimizer: adam",
                "batch: 50",
                "epochs: 1",
                ""));
        Path out = tmp.resolve("cnn");
        Result r = run("train", "--data", DATA, "--out", out.toString(), "--config", config.toString(),
                "--limit", "2000", "--master", "single");
        assertEquals(0, r.code(), r.err());
        JsonNode m = Json.JSON.readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(0));
        assertTrue(m.get("test_accuracy").asDouble() > 0.6, m.toString());
    }

    @Test
    void refusesAnOutputDirectoryHoldingAnotherRunUnlessOverwrite() throws Exception {
        Path out = tmp.resolve("run");
        String[] args = {"train", "--data", DATA, "--out", out.toString(), "--epochs", "1", "--limit", "500",
            "--master", "single"};
        assertEquals(0, run(args).code());
        Result again = run(args);
        assertEquals(Main.EXIT_USAGE, again.code());
        assertTrue(again.err().contains("already holds a run") && again.err().contains(out.toString()), again.err());
        String[] overwrite = java.util.Arrays.copyOf(args, args.length + 1);
        overwrite[args.length] = "--overwrite";
        assertEquals(0, run(overwrite).code());
        assertEquals(1, Files.readAllLines(out.resolve("metrics.jsonl")).size());
    }

    static Result train(Path tmp, String... extra) {
        String[] base = {"train", "--data", DATA, "--out", tmp.resolve("bad").toString(), "--limit", "200",
            "--master", "single"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return run(all);
    }

    static void assertRefused(Result r, int code, String... fragments) {
        assertEquals(code, r.code(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "stderr should name " + f + ": " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void malformedArch() {
        assertRefused(train(tmp, "--arch", "784-abc-10"), Main.EXIT_USAGE, "arch", "abc");
    }

    @Test
    void nonPositiveLearningRate() {
        assertRefused(train(tmp, "--lr", "-0.1"), Main.EXIT_USAGE, "lr", "-0.1");
    }

    @Test
    void zeroBatch() {
        assertRefused(train(tmp, "--batch", "0"), Main.EXIT_USAGE, "batch", "0");
    }

    @Test
    void unknownOptimizer() {
        assertRefused(train(tmp, "--optimizer", "adamx"), Main.EXIT_USAGE, "optimizer", "adamx");
    }

    @Test
    void unknownInit() {
        assertRefused(train(tmp, "--init", "glorot"), Main.EXIT_USAGE, "init", "glorot");
    }

    @Test
    void unknownBackend() {
        assertRefused(train(tmp, "--backend", "tpu"), Main.EXIT_USAGE, "backend", "tpu");
    }

    @Test
    void unknownFlag() {
        assertRefused(train(tmp, "--learning-rate", "0.1"), Main.EXIT_USAGE, "--learning-rate");
    }

    @Test
    void unknownConfigKey() throws Exception {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, "optimizer: adam\nlearning_rate: 0.1\n");
        assertRefused(train(tmp, "--config", config.toString()), Main.EXIT_USAGE, "c.yaml", "learning_rate");
    }

    @Test
    void missingDataDirectory() {
        Result r = run("train", "--data", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("o").toString(),
                "--master", "single");
        assertRefused(r, Main.EXIT_FAILED, "nowhere");
    }

    @Test
    void aSparkMasterWithoutTheSparkModuleNamesTheMaster() {
        Result r = run("train", "--data", DATA, "--out", tmp.resolve("o").toString());
        assertRefused(r, Main.EXIT_USAGE, "master", "local[*]", "--master single");
        assertRefused(run("train", "--data", DATA, "--out", tmp.resolve("o").toString(), "--master", "yarn"),
                Main.EXIT_USAGE, "master", "yarn");
    }

    @Test
    void badDistributedOptionsAreRefusedWhateverTheMaster() {
        assertRefused(train(tmp, "--mode", "async"), Main.EXIT_USAGE, "mode", "async");
        assertRefused(train(tmp, "--partitions", "0"), Main.EXIT_USAGE, "partitions", "0");
        assertRefused(train(tmp, "--local-steps", "-1"), Main.EXIT_USAGE, "local-steps", "-1");
        assertRefused(train(tmp, "--checkpoint-every", "-2"), Main.EXIT_USAGE, "checkpoint-every", "-2");
        assertRefused(train(tmp, "--resume"), Main.EXIT_USAGE, "resume", "single");
        assertRefused(train(tmp, "--master", " "), Main.EXIT_USAGE, "master");
    }

    @Test
    void singleMasterReadsFileUrisButNotOtherFileSystems() {
        assertRefused(run("train", "--data", "hdfs://nn:8020/data", "--out", tmp.resolve("o").toString(),
                "--master", "single"), Main.EXIT_USAGE, "data", "hdfs://nn:8020/data");
        Result r = run("train", "--data", tmp.resolve("nowhere").toUri().toString(), "--out",
                tmp.resolve("o").toString(), "--master", "single");
        assertRefused(r, Main.EXIT_FAILED, "nowhere");
    }

    @Test
    void modelOfAnotherShapeThanTheData() throws Exception {
        Path out = tmp.resolve("small");
        // a model for 100 inputs cannot read 28x28 images
        Result r = train(tmp, "--arch", "100-10");
        assertRefused(r, Main.EXIT_FAILED, "1x28x28", "100");
        assertFalse(Files.exists(out.resolve("model")));
    }
}
