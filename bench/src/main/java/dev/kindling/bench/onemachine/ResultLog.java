package dev.kindling.bench.onemachine;

import dev.kindling.bench.report.ResultLines;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends one JSON object per measured epoch to a results file ({@code *.jsonl}), with the
 * fields every runner shares; the report reads them back.
 */
final class ResultLog {
    private final Path file;
    private final Map<String, Object> common = new LinkedHashMap<>();

    ResultLog(Path file, String framework, String variant, RunArgs args) {
        this.file = file;
        common.put("suite", "one-machine");
        common.put("framework", framework);
        common.put("variant", variant);
        common.put("model", args.model().id());
        common.put("run", args.run());
        common.put("seed", args.seed());
        common.put("epochs", args.epochs());
        common.put("openblas_coretype", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "auto"));
        common.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"));
    }

    void put(String key, Object value) {
        common.put(key, value);
    }

    /** Writes the shared fields plus {@code epochFields}, and the load average now. */
    void epoch(Map<String, Object> epochFields) {
        Map<String, Object> line = new LinkedHashMap<>(common);
        line.putAll(epochFields);
        ResultLines.append(file, line);
    }

    /** CPU time of the whole process (all threads, native ones included), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
