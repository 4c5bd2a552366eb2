package dev.kindling.bench.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code metrics.jsonl} of a Kindling Spark run ({@code kindling train --out DIR},
 * local or on the cluster) and appends its results to the bench's Spark results file: one
 * {@code "epoch"} point per epoch (Kindling's {@code elapsed_seconds} already leaves evaluation
 * out) and one {@code "rounds"} line with the median and min–max of each part of a round
 * ({@code broadcast_ms}, {@code compute_ms}, {@code aggregate_ms}, {@code update_ms},
 * {@code round_ms}, and the overhead {@code round_ms - compute_ms}) over the rounds after the
 * first {@value #WARM_UP} (JIT and Spark warm-up).
 *
 * <p>Usage: {@code KindlingRunLog --from RUN_DIR --out FILE --variant NAME --master NAME --run N
 * [--parameters N] [--partitions N]}
 */
public final class KindlingRunLog {
    static final int WARM_UP = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] PARTS = {"broadcast_ms", "compute_ms", "aggregate_ms", "update_ms", "round_ms"};

    private KindlingRunLog() {
    }

    public static void main(String[] argv) throws IOException {
        Args a = new Args(argv);
        Path metrics = Path.of(a.get("from")).resolve("metrics.jsonl");
        if (!Files.exists(metrics)) {
            throw new IllegalStateException(metrics + ": no metrics (did the run fail?)");
        }
        SparkResults out = new SparkResults(Path.of(a.get("out")), "kindling", a.get("variant"), a.get("master"),
                a.integer("run", 1));
        out.put("parameters", Long.parseLong(a.get("parameters", "0")));
        out.put("partitions", a.integer("partitions", 0));
        List<JsonNode> rounds = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            switch (n.path("type").asText()) {
                case "round" -> rounds.add(n);
                case "epoch" -> out.point(n.path("epoch").asInt(), n.path("elapsed_seconds").asDouble(),
                        n.path("test_accuracy").asDouble(Double.NaN), n.path("examples_per_second").asDouble());
                default -> {
                }
            }
        }
        if (rounds.isEmpty()) {
            throw new IllegalStateException(metrics + ": no \"round\" lines");
        }
        List<JsonNode> warm = rounds.size() > 2 * WARM_UP ? rounds.subList(WARM_UP, rounds.size())
                : rounds.subList(rounds.size() / 2, rounds.size());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("rounds", rounds.size());
        f.put("rounds_measured", warm.size());
        f.put("examples_per_round", median(warm.stream().mapToDouble(n -> n.path("examples").asDouble()).toArray()));
        for (String part : PARTS) {
            summary(f, part, warm.stream().mapToDouble(n -> n.path(part).asDouble()).toArray());
        }
        summary(f, "overhead_ms", warm.stream()
                .mapToDouble(n -> n.path("round_ms").asDouble() - n.path("compute_ms").asDouble()).toArray());
        out.write("rounds", f);
    }

    private static void summary(Map<String, Object> f, String name, double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        f.put(name, median(s));
        f.put(name + "_min", s[0]);
        f.put(name + "_max", s[s.length - 1]);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
