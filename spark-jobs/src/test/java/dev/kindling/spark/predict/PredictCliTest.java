package dev.kindling.spark.predict;

import dev.kindling.spark.Cli;

import dev.kindling.spark.TestData;
import dev.kindling.spark.TestSpark;

import static dev.kindling.spark.Cli.assertRefused;
import static dev.kindling.spark.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kindling predict} end to end on local[2]: a trained model scores the test set into Parquet. */
public class PredictCliTest {
    static final String DATA = TestSpark.fashionMnist().toString();

    @TempDir
    Path tmp;

    @BeforeEach
    @AfterEach
    void noSharedContext() {
        TestSpark.stop(); // the CLI starts its own Spark, and a JVM holds one at a time
    }

    @Test
    void scoresTheTestSetToParquetAgreeingWithEvaluate() throws Exception {
        Path run = tmp.resolve("run");
        Cli.Result t = run("train", "--data", DATA, "--out", run.toString(), "--master", "local[2]",
                "--arch", "784-30-10", "--epochs", "1", "--limit", "2000", "--partitions", "2");
        assertEquals(0, t.code(), t.out() + t.err());
        String model = run.resolve("model").toString();
        JsonNode eval = Json.JSON.readTree(run("evaluate", "--model", model, "--data", DATA).out());
        // on Spark the partitions are scored where they lie: the 10,000 examples (7.8 MB) never reach
        // the driver, yet the numbers are those of the evaluation on one machine
        Cli.Result onSpark = TestSpark.withResultsUnder1MiB(() -> run("evaluate", "--model", model, "--data", DATA,
                "--master", "local[2]"));
        assertEquals(0, onSpark.code(), onSpark.out() + onSpark.err());
        JsonNode distributed = Json.JSON.readTree(onSpark.out());
        assertEquals(10_000, distributed.get("examples").asInt());
        assertEquals(eval.get("examples").asInt(), distributed.get("examples").asInt());
        assertEquals(eval.get("accuracy").asDouble(), distributed.get("accuracy").asDouble(), 0.0);
        // summed by partition and batch in another order
        assertEquals(eval.get("loss").asDouble(), distributed.get("loss").asDouble(), 1e-6 * eval.get("loss").asDouble());

        String out = tmp.resolve("scores").toUri().toString();
        Cli.Result p = run("predict", "--model", model, "--data", DATA, "--out", out, "--master", "local[2]",
                "--partitions", "3");
        assertEquals(0, p.code(), p.out() + p.err());
        assertTrue(p.out().contains("scored 10000 examples"), p.out());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of("run", "scores"), left.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no temporary directory is left beside the output");
        }

        SparkSession spark = TestSpark.session();
        org.apache.spark.sql.Dataset<Row> scores = spark.read().parquet(out);
        assertEquals(Scoring.SCHEMA.fieldNames().length, scores.schema().fields().length);
        List<Row> rows = scores.orderBy("id").collectAsList();
        assertEquals(10_000, rows.size());
        long correct = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            assertEquals(i, r.getLong(r.fieldIndex("id")));
            List<Float> probability = r.getList(r.fieldIndex("probability"));
            assertEquals(10, probability.size());
            double sum = 0;
            int best = 0;
            for (int k = 0; k < probability.size(); k++) {
                sum += probability.get(k);
                best = probability.get(k) > probability.get(best) ? k : best;
            }
            assertEquals(1.0, sum, 1e-4, "probabilities of row " + i);
            assertEquals(best, r.getInt(r.fieldIndex("prediction")));
            if (r.getInt(r.fieldIndex("prediction")) == r.getInt(r.fieldIndex("label"))) {
                correct++;
            }
        }
        assertEquals(eval.get("accuracy").asDouble(), correct / 10_000.0, 1e-12);
        TestSpark.stop();

        assertRefused(run("predict", "--model", model, "--data", DATA, "--out", out, "--master", "local[2]"),
                2, out, "--overwrite");
        Cli.Result again = run("predict", "--model", model, "--data", DATA, "--out", out, "--master", "local[2]",
                "--split", "train", "--overwrite");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("scored 60000 examples"), again.out());
        assertRefused(run("predict", "--model", model, "--data", DATA, "--out", tmp.resolve("x").toString(),
                "--split", "validation"), 2, "--split", "validation");
    }

    @Test
    void scoresImageFoldersNamingEachExamplesFile() throws Exception {
        Path data = tmp.resolve("pngs");
        TestData.writePngFolders(TestSpark.train(1200), data, TestData.FASHION_CLASSES);
        TestSpark.stop();
        Path run = tmp.resolve("run");
        Cli.Result t = run("train", "--data", data.toString(), "--out", run.toString(), "--master", "local[2]",
                "--arch", "784-32-10", "--epochs", "2", "--partitions", "2", "--data-option", "test-fraction=0.25");
        assertEquals(0, t.code(), t.out() + t.err());
        String model = run.resolve("model").toString();
        JsonNode eval = Json.JSON.readTree(run("evaluate", "--model", model, "--data", data.toString(), "--master",
                "local[2]").out());

        String out = tmp.resolve("scores").toString();
        Cli.Result p = run("predict", "--model", model, "--data", data.toString(), "--out", out, "--master",
                "local[2]", "--partitions", "2");
        assertEquals(0, p.code(), p.out() + p.err());
        SparkSession spark = TestSpark.session();
        org.apache.spark.sql.Dataset<Row> scores = spark.read().parquet(out);
        assertEquals(Scoring.PATH_SCHEMA.simpleString(), scores.schema().simpleString());
        List<Row> rows = scores.collectAsList();
        assertEquals(300, rows.size(), "the 25 % held out of 1200");
        // labels index the class folders' names, sorted
        List<String> classes = TestData.FASHION_CLASSES.stream().sorted().toList();
        java.util.Set<String> seen = new java.util.HashSet<>();
        long correct = 0;
        for (Row r : rows) {
            String path = r.getString(r.fieldIndex("path"));
            assertTrue(seen.add(path), "each file once: " + path);
            Path file = Path.of(java.net.URI.create(path));
            assertTrue(Files.isRegularFile(file), path);
            int label = r.getInt(r.fieldIndex("label"));
            assertEquals(classes.get(label), file.getParent().getFileName().toString(),
                    "the label is the file's class folder: " + path);
            List<Float> probability = r.getList(r.fieldIndex("probability"));
            double sum = 0;
            for (float f : probability) {
                sum += f;
            }
            assertEquals(1.0, sum, 1e-4, path);
            correct += r.getInt(r.fieldIndex("prediction")) == label ? 1 : 0;
        }
        assertEquals(eval.get("accuracy").asDouble(), correct / 300.0, 1e-12);
    }
}
