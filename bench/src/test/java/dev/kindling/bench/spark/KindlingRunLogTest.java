package dev.kindling.bench.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KindlingRunLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void epochsBecomePointsAndRoundsAfterTheWarmUpBecomeMedians(@TempDir Path dir) throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        List<String> lines = new ArrayList<>();
        for (int r = 1; r <= 30; r++) {
            // the first 10 rounds are slow (warm-up) and must not count
            double compute = r <= 10 ? 100 : r; // 11..30: median 20.5
            lines.add(String.format(Locale.ROOT, "{\"type\":\"round\",\"round\":%d,\"examples\":100,\"broadcast_ms\":1,"
                    + "\"compute_ms\":%s,\"aggregate_ms\":3,\"update_ms\":0.5,\"round_ms\":%s}", r, compute, compute + 4.5));
        }
        lines.add("{\"type\":\"epoch\",\"epoch\":1,\"test_accuracy\":0.84,\"examples_per_second\":1000,\"elapsed_seconds\":3.5}");
        lines.add("{\"type\":\"epoch\",\"epoch\":2,\"test_accuracy\":0.86,\"examples_per_second\":2000,\"elapsed_seconds\":6.5}");
        Files.write(run.resolve("metrics.jsonl"), lines);
        Path out = dir.resolve("spark.jsonl");

        KindlingRunLog.main(new String[] {"--from", run.toString(), "--out", out.toString(), "--variant", "sync",
            "--master", "local[2]", "--run", "2", "--parameters", "79510", "--partitions", "2"});

        List<JsonNode> written = new ArrayList<>();
        for (String l : Files.readAllLines(out)) {
            written.add(JSON.readTree(l));
        }
        assertEquals(3, written.size());
        assertEquals("epoch", written.get(0).get("type").asText());
        assertEquals(6.5, written.get(1).get("elapsed_seconds").asDouble());
        assertEquals(0.86, written.get(1).get("test_accuracy").asDouble());
        assertEquals(2, written.get(1).get("run").asInt());
        JsonNode rounds = written.get(2);
        assertEquals("rounds", rounds.get("type").asText());
        assertEquals(30, rounds.get("rounds").asInt());
        assertEquals(20, rounds.get("rounds_measured").asInt());
        assertEquals(20.5, rounds.get("compute_ms").asDouble(), 1e-9);
        assertEquals(11, rounds.get("compute_ms_min").asDouble(), 1e-9);
        assertEquals(30, rounds.get("compute_ms_max").asDouble(), 1e-9);
        assertEquals(4.5, rounds.get("overhead_ms").asDouble(), 1e-9);
        assertEquals(79510, rounds.get("parameters").asLong());
    }

    @Test
    void aRunWithoutMetricsIsNamed(@TempDir Path dir) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KindlingRunLog.main(new String[] {
            "--from", dir.toString(), "--out", dir.resolve("x.jsonl").toString(), "--variant", "v", "--master", "m"}));
        assertTrue(e.getMessage().contains("metrics.jsonl"), e.getMessage());
    }
}
