package dev.kindling.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @Test
    void statsAreTheMedianAndTheRange() {
        assertEquals(new Stats(2, 1, 5, 3), Stats.of(List.of(5.0, 1.0, 2.0)));
        assertEquals(new Stats(2.5, 1, 4, 4), Stats.of(List.of(4.0, 1.0, 3.0, 2.0)));
        assertEquals("2.0 (1.0–5.0)", Stats.of(List.of(5.0, 1.0, 2.0, Double.NaN)).format("%.1f"));
        assertEquals("—", Stats.of(List.of()).format("%.1f"));
    }

    @Test
    void benchmarksFileKeepsTheTextAroundTheGeneratedSection(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("BENCHMARKS.md");
        Files.writeString(file, "# Benchmarks\nintro\n" + Report.BEGIN + "\nold tables\n" + Report.END + "\nnotes\n");

        Report.updateBenchmarks(file, "new tables\n");

        String text = Files.readString(file);
        assertTrue(text.startsWith("# Benchmarks\nintro\n" + Report.BEGIN), text);
        assertTrue(text.contains("new tables\n" + Report.END + "\nnotes\n"), text);
        assertTrue(!text.contains("old tables"), text);
    }

    @Test
    void aMissingBenchmarksFileIsCreated(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("BENCHMARKS.md");
        Report.updateBenchmarks(file, "tables\n");
        assertTrue(Files.readString(file).contains(Report.BEGIN + "\n\ntables\n" + Report.END));
    }
}
