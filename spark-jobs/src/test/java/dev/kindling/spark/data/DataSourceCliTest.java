package dev.kindling.spark.data;

import dev.kindling.spark.Cli;

import dev.kindling.spark.TestData;
import dev.kindling.spark.TestSpark;
import dev.kindling.spark.train.TrainCliTest;

import static dev.kindling.spark.Cli.assertRefused;
import static dev.kindling.spark.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.cli.Main;
import dev.kindling.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kindling train} and {@code evaluate} on Parquet and image folders, end to end through the CLI on local[2]. */
public class DataSourceCliTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void noSharedContext() {
        TestSpark.stop(); // the CLI starts its own Spark
    }

    static JsonNode lastEpoch(Path out) throws Exception {
        List<JsonNode> epochs = TrainCliTest.lines(out.resolve("metrics.jsonl"), "epoch");
        return epochs.get(epochs.size() - 1);
    }

    @Test
    void trainsOnParquetAndEvaluatesTheModelOnIt() throws Exception {
        Path data = tmp.resolve("fashion");
        TestData.writeParquet(TestSpark.session(), TestSpark.train(2000), data.resolve("train"), "binary", 1000);
        TestData.writeParquet(TestSpark.session(), TestSpark.test(500), data.resolve("test"), "int", 1000);
        TestSpark.stop();
        Path out = tmp.resolve("run");
        Cli.Result r = run("train", "--data", data.toString(), "--out", out.toString(), "--master", "local[2]",
                "--arch", "784-32-10", "--epochs", "2", "--partitions", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode last = lastEpoch(out);
        assertTrue(last.get("test_accuracy").asDouble() > 0.65, last.toString());
        JsonNode model = Json.JSON.readTree(out.resolve("model/model.json").toFile());
        assertEquals("parquet", model.at("/metadata/data/format").asText(), model.toString());

        Cli.Result e = run("evaluate", "--model", out.resolve("model").toString(), "--data", data.toString(),
                "--master", "local[2]");
        assertEquals(0, e.code(), e.out() + e.err());
        JsonNode eval = Json.JSON.readTree(e.out());
        assertEquals(last.get("test_accuracy").asDouble(), eval.get("accuracy").asDouble(), 1e-9);
        assertEquals(500, eval.get("examples").asInt());
    }

    @Test
    void trainsOnImageFoldersRecordingTheClassesAndEvaluatesOnTheHeldOutSplit() throws Exception {
        Path data = tmp.resolve("pngs");
        TestData.writePngFolders(TestSpark.train(1200), data, TestData.FASHION_CLASSES);
        Path out = tmp.resolve("run");
        Cli.Result r = run("train", "--data", data.toString(), "--out", out.toString(), "--master", "local[2]",
                "--arch", "784-32-10", "--epochs", "3", "--partitions", "2", "--data-option", "test-fraction=0.25",
                "--data-option", "color=grey");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("classes (label name): 0 ankle-boot, 1 bag, 2 coat"), r.out());
        assertTrue(r.out().contains("test set: 300 of the 1,200 examples"), r.out());
        JsonNode last = lastEpoch(out);
        assertTrue(last.get("test_accuracy").asDouble() > 0.55, last.toString());
        JsonNode model = Json.JSON.readTree(out.resolve("model/model.json").toFile());
        assertEquals("images", model.at("/metadata/data/format").asText());
        assertEquals("ankle-boot", model.at("/metadata/data/classes/0").asText());
        assertEquals("0.25", model.at("/metadata/data/options/test-fraction").asText());
        JsonNode config = Json.JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("grey", config.at("/data-options/color").asText(), config.toString());

        // without options, evaluate reads the data as training did: the same held-out 300
        Cli.Result e = run("evaluate", "--model", out.resolve("model").toString(), "--data", data.toString());
        assertEquals(0, e.code(), e.out() + e.err());
        JsonNode eval = Json.JSON.readTree(e.out());
        assertEquals(300, eval.get("examples").asInt());
        assertEquals(last.get("test_accuracy").asDouble(), eval.get("accuracy").asDouble(), 1e-9);

        Files.createDirectories(data.resolve("hat"));
        assertRefused(run("evaluate", "--model", out.resolve("model").toString(), "--data", data.toString()),
                Main.EXIT_FAILED, "hat", "not the classes the model was trained on");
    }

    @Test
    void trainsAndEvaluatesIdxDataOfThirteenClassesTakingTheCountFromTheNetworkOrTheOption() throws Exception {
        Path data = TestData.writeIdx(tmp.resolve("idx13"), 39, 13);
        Path out = tmp.resolve("run");
        Cli.Result r = run("train", "--data", data.toString(), "--out", out.toString(), "--master", "local[2]",
                "--arch", "784-8-13", "--epochs", "1", "--batch", "13");
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.Result e = run("evaluate", "--model", out.resolve("model").toString(), "--data", data.toString(),
                "--master", "local[2]");
        assertEquals(0, e.code(), e.out() + e.err());
        assertEquals(39, Json.JSON.readTree(e.out()).get("examples").asInt());

        Cli.Result withOption = run("train", "--data", data.toString(), "--out", tmp.resolve("run2").toString(),
                "--master", "local[2]", "--arch", "784-8-13", "--epochs", "1", "--batch", "500", "--data-option",
                "classes=13");
        assertEquals(0, withOption.code(), withOption.out() + withOption.err());
        // a batch larger than the data is the whole data, said once; one epoch is singular
        assertTrue(withOption.out().contains("kindling: --batch 500 is larger than the 39 training examples; using 39\n"),
                withOption.out());
        assertTrue(withOption.out().contains("batch 39, 1 epoch)"), withOption.out());
    }

    @Test
    void badDataAndBadOptionsFailWithOneMessage() throws Exception {
        Path bad = tmp.resolve("bad.parquet");
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        rows.add(RowFactory.create("coat", new byte[784]));
        TestSpark.session().createDataFrame(rows, ParquetSourceTest.schema(DataTypes.StringType,
                DataTypes.BinaryType, Metadata.empty())).coalesce(1).write().parquet(bad.toUri().toString());
        TestSpark.stop();
        Path out = tmp.resolve("o");
        assertRefused(run("train", "--data", bad.toString(), "--out", out.toString(), "--master", "local[2]"),
                Main.EXIT_FAILED, "bad.parquet", "column label has type string");
        assertFalse(Files.exists(out.resolve("model")), "no model from bad data");
        assertRefused(run("train", "--data", bad.toString(), "--out", tmp.resolve("o2").toString(), "--master",
                "local[2]", "--data-option", "colour=grey"), Main.EXIT_USAGE, "unknown option \"colour\"");
        assertRefused(run("train", "--data", bad.toString(), "--out", tmp.resolve("o3").toString(), "--master",
                "single", "--data-option", "height=28"), Main.EXIT_USAGE, "data-option", "Spark master");
        Files.createDirectories(tmp.resolve("empty"));
        assertRefused(run("train", "--data", tmp.resolve("empty").toString(), "--out", tmp.resolve("o4").toString(),
                "--master", "local[2]"), Main.EXIT_FAILED, "empty", "holds no data", "it is empty");
    }

}
