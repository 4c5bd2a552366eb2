package dev.kindling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.io.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files say nothing of how many classes there are: the network's outputs do, not a fixed ten. */
class IdxClassesCliTest {
    @TempDir
    Path tmp;

    @Test
    void trainsAndEvaluatesThirteenClassesWithThirteenOutputs() throws Exception {
        Path data = BadInputCliTest.idxDirectory(tmp.resolve("data"), 39, 28, 28, 13);
        Path out = tmp.resolve("run");
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--out", out.toString(), "--master",
                "single", "--arch", "784-8-13", "--epochs", "1", "--batch", "13");
        assertEquals(0, r.code(), r.out() + r.err());

        CliTest.Result e = CliTest.run("evaluate", "--model", out.resolve("model").toString(), "--data",
                data.toString(), "--master", "single");
        assertEquals(0, e.code(), e.out() + e.err());
        JsonNode eval = Json.JSON.readTree(e.out());
        assertEquals(39, eval.get("examples").asInt());
        assertTrue(Double.isFinite(eval.get("loss").asDouble()), eval.toString());
    }
}
