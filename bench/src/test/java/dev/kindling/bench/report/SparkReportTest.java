package dev.kindling.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode overhead(long parameters, int partitions, double ms) {
        ObjectNode n = JSON.createObjectNode();
        n.put("parameters", parameters);
        n.put("partitions", partitions);
        n.put("overhead_ms", ms);
        return n;
    }

    @Test
    void theFitRecoversLatencyPerTaskCostAndBandwidth() {
        // overhead = 5 ms + 0.5 ms per partition + bytes at 1 GB/s (1e6 bytes per ms)
        List<JsonNode> rows = new ArrayList<>();
        for (long p : new long[] {10_000, 100_000, 1_000_000, 10_000_000}) {
            for (int parts : new int[] {2, 3, 4}) {
                rows.add(overhead(p, parts, 5 + 0.5 * parts + 4.0 * p * (1 + parts) / 1e6));
            }
        }
        ScalingModel.Fit fit = ScalingModel.fit(rows);
        assertNotNull(fit);
        assertEquals(5, fit.latencyMs(), 1e-6);
        assertEquals(0.5, fit.perTaskMs(), 1e-6);
        assertEquals(1e6, fit.bytesPerMs(), 1);
        assertTrue(fit.perTaskFitted());
    }

    @Test
    void rowsWithATreeMergeAreNotFittedAndTheLatencyIsNeverNegative() {
        // direct merges: 1 ms per partition + bytes at 1 GB/s and no fixed latency, measured a little
        // low; an 8-partition row from another cost (a tree stage) that would drag the fit anywhere
        List<JsonNode> rows = new ArrayList<>();
        for (long p : new long[] {10_000, 1_000_000, 10_000_000}) {
            for (int parts : new int[] {2, 4}) {
                rows.add(overhead(p, parts, -0.5 + parts + 4.0 * p * (1 + parts) / 1e6));
            }
            rows.add(overhead(p, 8, 1000));
        }
        ScalingModel.Fit fit = ScalingModel.fit(rows);
        assertNotNull(fit);
        assertEquals(6, fit.points());
        assertEquals(0, fit.latencyMs());
        assertTrue(fit.perTaskMs() > 0.5 && fit.perTaskMs() < 1.5, fit.describe());
        assertEquals(1e6, fit.bytesPerMs(), 1e4);
    }

    @Test
    void withOnePartitionCountThePerTaskCostIsLeftOut() {
        List<JsonNode> rows = List.of(overhead(10_000, 2, 5 + 0.12), overhead(1_000_000, 2, 5 + 12));
        ScalingModel.Fit fit = ScalingModel.fit(rows);
        assertNotNull(fit);
        assertEquals(5, fit.latencyMs(), 1e-6);
        assertEquals(0, fit.perTaskMs());
        assertEquals(1e6, fit.bytesPerMs(), 1);
        assertTrue(fit.describe().contains("not identifiable"), fit.describe());
    }

    @Test
    void speedupIsExecutorsTimesComputeOverTheRoundTime() {
        ScalingModel.Fit fit = new ScalingModel.Fit(10, 0, 1e6, false, 2);
        ScalingModel.Workload w = new ScalingModel.Workload("w", 1_000_000, 0.1);
        // compute 100 × 0.1 = 10 ms; overhead at E = 4: 10 + 4e6 × 5 / 1e6 = 30 ms; 4 × 10 / 40 = 1
        assertEquals(1.0, ScalingModel.speedup(w, fit, 4, 1, fit.bytesPerMs()), 1e-9);
        // 10 local steps: 100 ms of compute; 4 × 100 / 130
        assertEquals(400.0 / 130, ScalingModel.speedup(w, fit, 4, 10, fit.bytesPerMs()), 1e-9);
    }

    @Test
    void timeToAccuracyIsTheFirstPointAtOrAboveTheTargetPerRun(@TempDir Path dir) throws IOException {
        String common = "\"suite\":\"spark\",\"framework\":\"kindling\",\"variant\":\"sync\",\"master\":\"local[2]\","
                + "\"type\":\"epoch\",";
        Files.writeString(dir.resolve("spark.jsonl"), String.join("\n",
                "{" + common + "\"run\":1,\"epoch\":1,\"elapsed_seconds\":4,\"test_accuracy\":0.84,\"examples_per_second\":10}",
                "{" + common + "\"run\":1,\"epoch\":2,\"elapsed_seconds\":8,\"test_accuracy\":0.86,\"examples_per_second\":20}",
                "{" + common + "\"run\":1,\"epoch\":3,\"elapsed_seconds\":12,\"test_accuracy\":0.85,\"examples_per_second\":30}",
                "{" + common + "\"run\":2,\"epoch\":1,\"elapsed_seconds\":5,\"test_accuracy\":0.85,\"examples_per_second\":10}",
                "{" + common + "\"run\":2,\"epoch\":2,\"elapsed_seconds\":9,\"test_accuracy\":0.87,\"examples_per_second\":40}"));
        SparkReport report = new SparkReport(dir);
        List<SparkReport.Setup> setups = report.setups();
        assertEquals(1, setups.size());
        assertEquals(List.of(8.0, 5.0), setups.get(0).timesTo(0.85));
        assertEquals(List.of(), setups.get(0).timesTo(0.88));
        // examples/s leaves out each run's first epoch
        assertEquals(List.of(20.0, 30.0, 40.0), setups.get(0).throughput());
        StringBuilder md = new StringBuilder();
        report.markdown(md);
        assertTrue(md.toString().contains("| local[2] | kindling | sync | 6.5 (5.0–8.0) | not reached | 30 (20–40) |"), md.toString());
    }

    @Test
    void theSparkPartOfTheBenchmarksFileIsReplacedAlone(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("BENCHMARKS.md");
        Files.writeString(file, Report.BEGIN + "\nkernels\n" + Report.END + "\ntext\n"
                + Report.SPARK_BEGIN + "\nold spark\n" + Report.SPARK_END + "\nmore\n");
        Report.updateBenchmarks(file, "new spark\n", Report.SPARK_BEGIN, Report.SPARK_END);
        String text = Files.readString(file);
        assertTrue(text.contains("\nkernels\n" + Report.END + "\ntext\n" + Report.SPARK_BEGIN + "\n\nnew spark\n"
                + Report.SPARK_END + "\nmore\n"), text);
    }
}
