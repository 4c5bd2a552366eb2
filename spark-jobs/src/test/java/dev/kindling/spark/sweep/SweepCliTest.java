package dev.kindling.spark.sweep;

import dev.kindling.spark.Cli;

import dev.kindling.spark.TestSpark;
import dev.kindling.spark.train.TrainCliTest;

import static dev.kindling.spark.Cli.assertRefused;
import static dev.kindling.spark.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.cli.Main;
import dev.kindling.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kindling sweep} end to end on local[2]: real data, outputs on a file:// Hadoop path, reruns. */
public class SweepCliTest {
    static final String DATA = TestSpark.fashionMnist().toString();

    @TempDir
    Path tmp;

    @BeforeAll
    static void noSharedContext() {
        TestSpark.stop(); // the CLI starts its own Spark, and a JVM holds one at a time
    }

    Path spec(String text) throws Exception {
        Path f = tmp.resolve("spec-" + System.nanoTime() + ".yaml");
        Files.writeString(f, text);
        return f;
    }

    static final String RANDOM = """
            base: {arch: 784-16-10, epochs: 2, batch: 50}
            parameters:
              lr: {log-uniform: [1.0e-4, 1.0e-1]}
              weight-decay: {log-uniform: [1.0e-8, 1.0e-4]}
              optimizer: {choice: [sgd, adam]}
            method: random
            trials: 6
            seed: 7
            validation-fraction: 0.2
            """;

    @Test
    void taskModeRefusesDataAboveItsLimitNamingDistributedModeAndAutoModeChoosesDistributed() throws Exception {
        String[] args = {"sweep", "--spec", spec(RANDOM.replace("trials: 6", "trials: 1")).toString(), "--data", DATA,
            "--out", tmp.resolve("task").toString(), "--master", "local[2]", "--limit", "500", "--trial-mode", "task"};
        System.setProperty(Sweep.TASK_MODE_MAX_BYTES, "100k"); // 500 examples x 784 bytes = 392,000
        try {
            Cli.Result r = run(args);
            assertEquals(Main.EXIT_USAGE, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("392,000 bytes") && r.err().contains("102,400 bytes")
                    && r.err().contains("--trial-mode distributed"), r.err());
            assertTrue(!Files.exists(tmp.resolve("task/leaderboard.json")));
            args[args.length - 1] = "auto";
            args[6] = tmp.resolve("auto").toString();
            r = run(args);
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("distributed mode: the training data"), r.out());
            assertEquals("distributed", Json.JSON.readTree(tmp.resolve("auto/leaderboard.json").toFile())
                    .get("trial_mode").asText());
        } finally {
            System.clearProperty(Sweep.TASK_MODE_MAX_BYTES);
        }
    }

    @Test
    void randomSweepWritesARankedLeaderboardABestConfigAndAChartAndARerunSkipsFinishedTrials() throws Exception {
        Path out = tmp.resolve("sweep");
        String[] args = {"sweep", "--spec", spec(RANDOM).toString(), "--data", DATA, "--out", out.toUri().toString(),
            "--master", "local[2]", "--limit", "1500"};
        Cli.Result r = run(args);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("task mode"), r.out());

        JsonNode board = Json.JSON.readTree(out.resolve("leaderboard.json").toFile());
        JsonNode rows = board.get("leaderboard");
        assertEquals(6, rows.size());
        assertEquals(1200, board.get("training_examples").asInt());
        assertEquals(300, board.get("validation_examples").asInt());
        assertEquals(12, board.get("epochs_trained").asInt());
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(rows.get(i - 1).get("validation_accuracy").asDouble()
                    >= rows.get(i).get("validation_accuracy").asDouble(), "sorted best first: " + rows);
        }
        List<String> optimizers = new ArrayList<>();
        for (JsonNode row : rows) {
            double lr = row.get("params").get("lr").asDouble();
            assertTrue(lr >= 1e-4 && lr <= 1e-1, "lr in range: " + row);
            optimizers.add(row.get("params").get("optimizer").asText());
        }
        assertTrue(optimizers.contains("sgd") && optimizers.contains("adam"), optimizers.toString());
        JsonNode best = rows.get(0);
        assertTrue(best.get("validation_accuracy").asDouble() > 0.5, best.toString());

        List<String> csv = Files.readAllLines(out.resolve("leaderboard.csv"));
        assertEquals(7, csv.size());
        assertTrue(csv.get(0).startsWith("rank,id,trial,rung,epochs,lr,weight-decay,optimizer,validation_accuracy"),
                csv.get(0));
        assertTrue(csv.get(1).startsWith("1," + best.get("id").asText() + ","), csv.get(1));

        byte[] png = Files.readAllBytes(out.resolve("sweep.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        assertTrue(png.length > 5000, "a drawn chart: " + png.length + " bytes");

        // the best config trains with `train --config` and holds the best trial's values
        Path bestConfig = out.resolve("best-config.yaml");
        String yaml = Files.readString(bestConfig);
        assertTrue(yaml.contains("optimizer: \"" + best.get("params").get("optimizer").asText() + "\"")
                || yaml.contains("optimizer: " + best.get("params").get("optimizer").asText()), yaml);
        Path trained = tmp.resolve("best-run");
        Cli.Result t = run("train", "--config", bestConfig.toString(), "--data", DATA, "--out", trained.toString(),
                "--master", "single", "--limit", "500");
        assertEquals(0, t.code(), t.out() + t.err());
        JsonNode config = Json.JSON.readTree(trained.resolve("config.json").toFile());
        assertEquals(best.get("params").get("lr").asDouble(), config.get("lr").asDouble(), 0);
        assertEquals(best.get("params").get("weight-decay").asDouble(), config.get("weight-decay").asDouble(), 0);
        assertEquals("784-16-10", config.get("arch").asText());

        // a second invocation reruns nothing: the records stay as they were
        Map<String, String> before = records(out);
        assertEquals(6, before.size());
        Cli.Result again = run(args);
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("6 of 6 trials already done"), again.out());
        assertTrue(!again.out().contains("kindling: sweep: trial "), "no trial ran again: " + again.out());
        assertEquals(before, records(out));
        assertEquals(rows, Json.JSON.readTree(out.resolve("leaderboard.json").toFile()).get("leaderboard"));

        // an interrupted sweep: a lost record is the one trial run again
        String lost = best.get("id").asText();
        Files.delete(out.resolve("trials").resolve(lost + ".json"));
        Cli.Result third = run(args);
        assertEquals(0, third.code(), third.out() + third.err());
        assertTrue(third.out().contains("5 of 6 trials already done") && third.out().contains("trial " + lost),
                third.out());
        Map<String, String> after = records(out);
        for (String id : before.keySet()) {
            if (!id.equals(lost + ".json")) {
                assertEquals(before.get(id), after.get(id), id);
            }
        }
        JsonNode rerun = Json.JSON.readTree(after.get(lost + ".json"));
        assertEquals(best.get("validation_accuracy").asDouble(), rerun.get("validation_accuracy").asDouble(), 0,
                "the same seed gives the same trial");

        // the same --out with another spec is refused
        Cli.Result other = run("sweep", "--spec", spec(RANDOM.replace("seed: 7", "seed: 8")).toString(), "--data", DATA,
                "--out", out.toUri().toString(), "--master", "local[2]", "--limit", "1500");
        assertRefused(other, Main.EXIT_USAGE, "out", "other trials", "--overwrite");
    }

    static final String GRID = """
            base: {arch: 784-16-10, epochs: 3, batch: 50, optimizer: sgd}
            parameters:
              lr: {choice: [0.0001, 0.001, 0.01, 0.1]}
            method: grid
            validation-fraction: 0.2
            """;

    @Test
    void successiveHalvingTrainsFewerEpochsThanTheFullGridAndKeepsItsBest() throws Exception {
        Path grid = tmp.resolve("grid");
        Cli.Result g = run("sweep", "--spec", spec(GRID).toString(), "--data", DATA, "--out", grid.toString(),
                "--master", "local[2]", "--limit", "1500");
        assertEquals(0, g.code(), g.out() + g.err());
        JsonNode full = Json.JSON.readTree(grid.resolve("leaderboard.json").toFile());
        assertEquals(4, full.get("leaderboard").size());
        assertEquals(12, full.get("epochs_trained").asInt());

        Path halving = tmp.resolve("halving");
        Cli.Result h = run("sweep", "--spec", spec(GRID + "halving: {eta: 3, min-epochs: 1}\n").toString(),
                "--data", DATA, "--out", halving.toString(), "--master", "local[2]", "--limit", "1500",
                "--trial-mode", "distributed", "--partitions", "2");
        assertEquals(0, h.code(), h.out() + h.err());
        assertTrue(h.out().contains("distributed mode"), h.out());
        assertTrue(h.out().contains("1 of 4 trials go on to 3 epochs"), h.out());
        JsonNode halved = Json.JSON.readTree(halving.resolve("leaderboard.json").toFile());
        assertEquals(4 + 3, halved.get("epochs_trained").asInt(), "4 trials of 1 epoch, then 1 of 3");
        JsonNode top = halved.get("leaderboard").get(0);
        assertEquals(3, top.get("epochs").asInt());
        assertEquals(1, top.get("rung").asInt());
        assertEquals(full.get("leaderboard").get(0).get("params"), top.get("params"), "the grid's best is kept");
        assertEquals(full.get("leaderboard").get(0).get("validation_accuracy").asDouble(),
                top.get("validation_accuracy").asDouble(), 0.02, "distributed sync training ≈ one machine's");
        assertTrue(Files.readString(halving.resolve("best-config.yaml")).contains("epochs: 3"));
        assertEquals(5, records(halving).size(), "4 records of rung 1, 1 of rung 2");
    }

    @Test
    void distributedTrialsSideBySideInFairPoolsGiveWhatTheyGiveInTurn() throws Exception {
        Path spec = spec("""
                base: {arch: 784-16-10, epochs: 1, batch: 50, optimizer: sgd}
                parameters:
                  lr: {choice: [0.01, 0.1]}
                  mode: {choice: [sync, local]}
                method: grid
                """);
        Map<String, JsonNode> results = new HashMap<>();
        for (String parallel : List.of("1", "2")) {
            Path out = tmp.resolve("parallel-" + parallel);
            Cli.Result r = run("sweep", "--spec", spec.toString(), "--data", DATA, "--out", out.toString(),
                    "--master", "local[2]", "--limit", "1000", "--trial-mode", "distributed", "--partitions", "2",
                    "--parallel", parallel);
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains(parallel + " at once"), r.out());
            results.put(parallel, Json.JSON.readTree(out.resolve("leaderboard.json").toFile()).get("leaderboard"));
        }
        assertEquals(4, results.get("2").size());
        for (int i = 0; i < 4; i++) {
            for (String field : List.of("id", "params", "validation_accuracy", "validation_loss", "train_loss")) {
                assertEquals(results.get("1").get(i).get(field), results.get("2").get(i).get(field), field);
            }
        }
    }

    @Test
    void badSpecsAreUsageErrorsNamingTheField() throws Exception {
        String[] common = {"--data", DATA, "--out", tmp.resolve("o").toString(), "--master", "local[2]"};
        assertRefused(sweep(spec("parameters:\n  lr: {normal: [0, 1]}\n"), common), Main.EXIT_USAGE,
                "parameters.lr", "normal");
        assertRefused(sweep(spec("parameters:\n  lr: {log-uniform: [0.1, 0.001]}\n"), common), Main.EXIT_USAGE,
                "parameters.lr", "increasing");
        assertRefused(sweep(spec("parameters:\n  learning-rate: {choice: [0.1]}\n"), common), Main.EXIT_USAGE,
                "learning-rate", "unknown key");
        assertRefused(sweep(spec("parameters:\n  lr: {log-uniform: [0.001, 0.1]}\nmethod: grid\n"), common),
                Main.EXIT_USAGE, "parameters.lr", "grid");
        assertRefused(sweep(spec("parameters:\n  optimizer: {choice: [sgd, lion]}\nmethod: grid\n"), common),
                Main.EXIT_USAGE, "lion");
        assertRefused(sweep(spec("parameters:\n  lr: {choice: [0.1]}\nhalving: {eta: 1}\n"), common),
                Main.EXIT_USAGE, "halving.eta", "1");
        assertRefused(sweep(spec("parameters:\n  lr: {choice: [0.1]}\n"), with(common, "--trial-mode", "gpu")),
                Main.EXIT_USAGE, "trial-mode", "gpu");
        assertRefused(sweep(tmp.resolve("missing.yaml"), common), Main.EXIT_USAGE, "missing.yaml", "not found");
        assertTrue(!Files.exists(tmp.resolve("o")), "nothing written for a refused sweep");
    }

    private static String[] with(String[] a, String... b) {
        return TrainCliTest.with(a, b);
    }

    private static Cli.Result sweep(Path spec, String... rest) {
        return run(with(new String[] {"sweep", "--spec", spec.toString()}, rest));
    }

    /** Every trial record's text by file name. */
    static Map<String, String> records(Path out) throws Exception {
        Map<String, String> m = new HashMap<>();
        try (Stream<Path> files = Files.list(out.resolve("trials"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                m.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        return m;
    }
}
