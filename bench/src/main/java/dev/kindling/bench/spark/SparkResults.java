package dev.kindling.bench.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.bench.machine.Machine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    private static final ObjectMapper JSON = new ObjectMapper();

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
        line.put("load1", Machine.load1());
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writeValueAsString(line) + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
