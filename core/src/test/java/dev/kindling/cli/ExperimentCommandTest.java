package dev.kindling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kindling experiment} end to end through the launcher. */
class ExperimentCommandTest {
    static final String DATA = dev.kindling.TestData.fashionMnist().toString();

    @TempDir
    Path tmp;

    @Test
    void gradcheckWritesTableSummaryAndChart() throws Exception {
        Path out = tmp.resolve("gc");
        CliTest.Result r = CliTest.run("experiment", "gradcheck", "--data", DATA, "--out", out.toString(),
                "--seed", "1", "--limit", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("largest relative error"), r.out());
        assertTrue(r.out().contains("0:Conv2D.W"), r.out());
        assertTrue(Files.readAllLines(out.resolve("gradcheck.csv")).size() > 5);
        JsonNode summary = Json.JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals(2, summary.get("examples").asInt());
        assertTrue(summary.get("passed").asBoolean(), summary.toString());
        assertEquals(900, ImageIO.read(out.resolve("gradcheck.png").toFile()).getWidth());
    }

    @Test
    void unknownExperimentIsAUsageErrorNamingIt() {
        CliTest.Result r = CliTest.run("experiment", "optimisers", "--data", DATA, "--out", tmp.toString());
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("\"optimisers\"") && r.err().contains("optimizers, init, overfit"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void optionTheExperimentDoesNotReadIsAUsageError() {
        CliTest.Result r = CliTest.run("experiment", "gradcheck", "--data", DATA, "--out", tmp.toString(),
                "--trials", "5");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("--trials 5") && r.err().contains("gradcheck"), r.err());
    }

    @Test
    void badScaleValueNamesOptionAndValue() {
        CliTest.Result r = CliTest.run("experiment", "search", "--data", DATA, "--out", tmp.toString(),
                "--trials", "0");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("trials: 0"), r.err());
    }
}
