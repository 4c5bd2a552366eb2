package dev.kindling.bench.spark;

import dev.kindling.bench.report.ResultLines;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends the Spark comparisons' results to a {@code *.jsonl} file, one JSON object a line,
 * each with the fields that name the run ({@code framework}, {@code variant}, {@code master},
 * {@code run}) and a {@code type}: {@code "epoch"} (a point on the accuracy-over-time curve:
 * {@code elapsed_seconds} of training, evaluation excluded, and {@code test_accuracy}),
 * {@code "rounds"} (medians of the per-round breakdown) or {@code "overhead"} (one round-overhead
 * measurement). The report reads them back.
 */
final class SparkResults {
    private final Path file;
    private final Map<String, Object> common = new LinkedHashMap<>();

    SparkResults(Path file, String framework, String variant, String master, int run) {
        this.file = file;
        common.put("suite", "spark");
        common.put("framework", framework);
        common.put("variant", variant);
        common.put("master", master);
        common.put("run", run);
    }

    void put(String key, Object value) {
        common.put(key, value);
    }

    void write(String type, Map<String, Object> fields) {
        Map<String, Object> line = new LinkedHashMap<>(common);
        line.put("type", type);
        line.putAll(fields);
        ResultLines.append(file, line);
    }

    /** One point of the accuracy-over-time curve. */
    void point(int epoch, double elapsedSeconds, double testAccuracy, double examplesPerSecond) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("epoch", epoch);
        f.put("elapsed_seconds", elapsedSeconds);
        f.put("test_accuracy", testAccuracy);
        f.put("examples_per_second", examplesPerSecond);
        write("epoch", f);
    }
}
