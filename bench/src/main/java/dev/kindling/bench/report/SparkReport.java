package dev.kindling.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Spark part of the report: the MLP on Spark against DL4J and MLlib ({@code spark.jsonl}),
 * Kindling's round overhead against parameter count and partitions ({@code rounds.jsonl}),
 * and the speedup those costs predict at 4–64 executors ({@link ScalingModel}).
 */
final class SparkReport {
    static final double[] TARGETS = {0.85, 0.88};

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JsonNode> spark;
    private final List<JsonNode> rounds;

    SparkReport(Path dir) throws IOException {
        this.spark = read(dir.resolve("spark.jsonl"));
        this.rounds = read(dir.resolve("rounds.jsonl")).stream()
                .filter(n -> n.path("type").asText().equals("rounds")).collect(Collectors.toList());
    }

    boolean isEmpty() {
        return spark.isEmpty() && rounds.isEmpty();
    }

    static List<JsonNode> read(Path f) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(f)) {
            for (String line : Files.readAllLines(f)) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        return lines;
    }

    void markdown(StringBuilder out) {
        timeToAccuracy(out);
        roundBreakdown(out);
        roundOverhead(out);
        scaling(out);
    }

    // ---------------------------------------------------------------- time to accuracy

    /** One framework's setting on one master: its runs' accuracy-over-time points. */
    record Setup(String framework, String variant, String master, Map<Integer, List<JsonNode>> runs) {
        String key() {
            return master + "|" + framework + "|" + variant;
        }

        /** Seconds to reach {@code target} in each run that reached it. */
        List<Double> timesTo(double target) {
            List<Double> t = new ArrayList<>();
            for (List<JsonNode> points : runs.values()) {
                points.stream().filter(p -> p.path("test_accuracy").asDouble() >= target)
                        .map(p -> p.path("elapsed_seconds").asDouble()).min(Double::compare).ifPresent(t::add);
            }
            return t;
        }

        /** examples/s of every point but the first of each run (JIT and Spark warm-up), unless that is all there is. */
        List<Double> throughput() {
            List<Double> v = new ArrayList<>();
            for (List<JsonNode> points : runs.values()) {
                List<JsonNode> warm = points.size() > 1 ? points.subList(1, points.size()) : points;
                warm.forEach(p -> v.add(p.path("examples_per_second").asDouble()));
            }
            return v;
        }

        List<Double> finalAccuracy() {
            return runs.values().stream().map(p -> p.get(p.size() - 1).path("test_accuracy").asDouble())
                    .collect(Collectors.toList());
        }

        int points() {
            return runs.values().stream().mapToInt(List::size).max().orElse(0);
        }
    }

    List<Setup> setups() {
        Map<String, Setup> byKey = new LinkedHashMap<>();
        for (JsonNode n : spark) {
            if (!n.path("type").asText().equals("epoch")) {
                continue;
            }
            Setup s = new Setup(n.path("framework").asText(), n.path("variant").asText(), n.path("master").asText(),
                    new LinkedHashMap<>());
            s = byKey.computeIfAbsent(s.key(), k -> new Setup(n.path("framework").asText(), n.path("variant").asText(),
                    n.path("master").asText(), new LinkedHashMap<>()));
            s.runs().computeIfAbsent(n.path("run").asInt(), r -> new ArrayList<>()).add(n);
        }
        for (Setup s : byKey.values()) {
            s.runs().values().forEach(l -> l.sort(Comparator.comparingDouble(p -> p.path("elapsed_seconds").asDouble())));
        }
        return new ArrayList<>(byKey.values());
    }

    private void timeToAccuracy(StringBuilder out) {
        List<Setup> setups = setups();
        if (setups.isEmpty()) {
            return;
        }
        out.append("## The MLP on Spark: Kindling vs DL4J 1.0.0-M2 vs Spark MLlib\n\n");
        out.append("Full Fashion-MNIST, MLP 784-100-10 (MLlib's hidden layer is sigmoid, its only choice), "
                + "2 partitions on 2 executor cores: `local[2]`, and a standalone cluster of 2 workers with 1 core "
                + "each. Kindling and DL4J: He init, Adam, batch 100 (DL4J: 100 per worker, parameters averaged every "
                + "5 steps, `ParameterAveragingTrainingMaster`). Test accuracy is measured after every epoch "
                + "(MLlib: each point is a separate training with a larger `maxIter`); \"time to\" is the training "
                + "time (evaluation excluded) up to the first point at or above the target, so it is quantised to "
                + "an epoch. examples/s: per epoch (MLlib: training examples × iterations / fit time), first epoch "
                + "of each run left out. Median (min–max) over runs.\n\n");
        out.append("| master | framework | settings | time to 0.85, s | time to 0.88, s | examples/s | test accuracy at the end "
                + "| points × runs |\n|---|---|---|---:|---:|---:|---|---|\n");
        for (Setup s : setups) {
            out.append("| ").append(s.master()).append(" | ").append(s.framework()).append(" | ").append(s.variant())
                    .append(" | ");
            for (double t : TARGETS) {
                out.append(timeCell(s, t)).append(" | ");
            }
            out.append(Stats.of(s.throughput()).format("%,.0f")).append(" | ")
                    .append(Stats.of(s.finalAccuracy()).format("%.4f")).append(" | ")
                    .append(s.points()).append(" × ").append(s.runs().size()).append(" |\n");
        }
        out.append('\n');
        targets(out, setups);
    }

    private static String timeCell(Setup s, double target) {
        List<Double> t = s.timesTo(target);
        if (t.isEmpty()) {
            return "not reached";
        }
        String cell = Stats.of(t).format("%.1f");
        return t.size() < s.runs().size() ? cell + " (" + t.size() + " of " + s.runs().size() + " runs)" : cell;
    }

    private void targets(StringBuilder out, List<Setup> setups) {
        List<String> masters = setups.stream().map(Setup::master).distinct().collect(Collectors.toList());
        StringBuilder rows = new StringBuilder();
        for (String m : masters) {
            Setup dl4j = setups.stream().filter(s -> s.master().equals(m) && s.framework().equals("dl4j"))
                    .findFirst().orElse(null);
            Setup best = null;
            double bestTime = Double.POSITIVE_INFINITY;
            for (Setup s : setups) {
                double t = Stats.of(s.timesTo(0.85)).median();
                if (s.master().equals(m) && s.framework().equals("kindling") && t < bestTime) {
                    best = s;
                    bestTime = t;
                }
            }
            if (dl4j == null || best == null) {
                continue;
            }
            double d = Stats.of(dl4j.timesTo(0.85)).median();
            double ratio = d / bestTime;
            rows.append("| ").append(m).append(" | ").append(best.variant()).append(": ")
                    .append(String.format(Locale.ROOT, "%.1f s", bestTime)).append(" | ")
                    .append(Double.isNaN(d) ? "not reached" : String.format(Locale.ROOT, "%.1f s", d)).append(" | ")
                    .append(Double.isNaN(ratio) ? "—" : String.format(Locale.ROOT, "%.2f×", ratio)).append(" | ")
                    .append(Double.isNaN(ratio) ? "—" : ratio >= 10 ? "yes" : "no").append(" |\n");
        }
        if (rows.length() > 0) {
            out.append("Target: Kindling's time to 0.85 ≤ 1/10 of DL4J Spark's (best Kindling setting against DL4J, "
                    + "medians):\n\n| master | Kindling, best | DL4J | DL4J / Kindling | met |\n|---|---|---:|---:|---|\n")
                    .append(rows).append('\n');
        }
    }

    // ---------------------------------------------------------------- per-round breakdown

    private void roundBreakdown(StringBuilder out) {
        List<JsonNode> kindling = spark.stream().filter(n -> n.path("type").asText().equals("rounds"))
                .collect(Collectors.toList());
        List<JsonNode> dl4j = spark.stream().filter(n -> n.path("type").asText().equals("dl4j-stats"))
                .collect(Collectors.toList());
        List<Setup> mllib = setups().stream().filter(s -> s.framework().equals("mllib")).collect(Collectors.toList());
        if (kindling.isEmpty() && dl4j.isEmpty() && mllib.isEmpty()) {
            return;
        }
        out.append("### Where a round's time goes\n\n");
        out.append("A round: Kindling, one synchronisation (sync: one batch of 100; local: 10 batches); DL4J, one "
                + "parameter averaging (5 batches of 100 on each of 2 workers); MLlib, one L-BFGS iteration (a pass "
                + "over the training set, line search included). Milliseconds per round. Kindling: medians over its "
                + "rounds (after the first 10), then over runs, from `metrics.jsonl`: broadcast = creating the "
                + "broadcast, compute = the slowest task's computation, aggregate = the rest of the Spark job "
                + "(scheduling, shipping and merging results), update = the driver's optimizer step. DL4J: its "
                + "own training statistics (`collectTrainingStats`), totals over the run divided by the rounds: "
                + "broadcast = creating the broadcast, compute = a worker's `fit` calls, aggregate = "
                + "`treeAggregate` of the parameters, update = processing the averaged parameters; its `Export` "
                + "(writing the RDD's batches to files each `fit`, and reading them back on the workers) is in "
                + "\"other\". MLlib: fit time over iterations, not broken down.\n\n");
        out.append("| master | framework | settings | examples per round | broadcast | compute | aggregate | update "
                + "| other | round |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<JsonNode>> byKindling = kindling.stream().collect(Collectors.groupingBy(
                n -> n.path("master").asText() + "|" + n.path("variant").asText(), LinkedHashMap::new, Collectors.toList()));
        for (List<JsonNode> g : byKindling.values()) {
            JsonNode f = g.get(0);
            double b = med(g, "broadcast_ms");
            double c = med(g, "compute_ms");
            double a = med(g, "aggregate_ms");
            double u = med(g, "update_ms");
            double r = med(g, "round_ms");
            row(out, f.path("master").asText(), "kindling", f.path("variant").asText(), med(g, "examples_per_round"),
                    b, c, a, u, r - b - c - a - u, r);
        }
        Map<String, List<JsonNode>> byDl4j = dl4j.stream().collect(Collectors.groupingBy(
                n -> n.path("master").asText() + "|" + n.path("variant").asText(), LinkedHashMap::new, Collectors.toList()));
        for (List<JsonNode> g : byDl4j.values()) {
            // per run: totals over the run divided by its rounds; then the median over runs
            List<double[]> perRun = new ArrayList<>();
            for (JsonNode n : g) {
                JsonNode st = n.path("stats");
                double rounds = st.path("ParameterAveragingMasterBroadcastCreateTimesMs").path("count").asDouble(Double.NaN);
                int workers = n.path("partitions").asInt(2);
                double b = total(st, "ParameterAveragingMasterBroadcastCreateTimesMs") / rounds;
                double c = total(st, "ParameterAveragingWorkerFitTimesMs") / workers / rounds;
                double a = total(st, "ParameterAveragingMasterAggregateTimesMs") / rounds;
                double u = total(st, "ParameterAveragingMasterProcessParamsUpdaterTimesMs") / rounds;
                double r = n.path("training_seconds").asDouble() * 1000 / rounds;
                perRun.add(new double[] {n.path("examples").asDouble() / rounds, b, c, a, u, r - b - c - a - u, r});
            }
            double[] m = new double[7];
            for (int i = 0; i < m.length; i++) {
                int k = i;
                m[i] = Stats.of(perRun.stream().map(v -> v[k]).collect(Collectors.toList())).median();
            }
            row(out, g.get(0).path("master").asText(), "dl4j", g.get(0).path("variant").asText(),
                    m[0], m[1], m[2], m[3], m[4], m[5], m[6]);
        }
        for (Setup s : mllib) {
            List<Double> perIteration = new ArrayList<>();
            s.runs().values().forEach(points -> points.forEach(p -> perIteration.add(
                    p.path("elapsed_seconds").asDouble() * 1000 / p.path("epoch").asDouble())));
            double r = Stats.of(perIteration).median();
            row(out, s.master(), "mllib", s.variant(), 60000, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, r);
        }
        out.append('\n');
        for (JsonNode n : dl4j) {
            JsonNode st = n.path("stats");
            double rounds = st.path("ParameterAveragingMasterBroadcastCreateTimesMs").path("count").asDouble(Double.NaN);
            double fits = Math.max(1, st.path("parameterAveragingMasterExportTimesMs").path("count").asDouble());
            out.append(String.format(Locale.ROOT, "DL4J run %d on %s: exporting the RDD to files %.1f s per fit; "
                            + "the workers' reading of the exported batches %.0f ms per round per worker.%n",
                    n.path("run").asInt(), n.path("master").asText(),
                    total(st, "parameterAveragingMasterExportTimesMs") / 1000 / fits,
                    total(st, "WorkerFlatMapDataSetGetTimesMs") / n.path("partitions").asInt(2) / rounds));
        }
        if (!dl4j.isEmpty()) {
            out.append('\n');
        }
    }

    private static void row(StringBuilder out, String master, String framework, String variant, double examples,
                            double b, double c, double a, double u, double other, double r) {
        out.append("| ").append(master).append(" | ").append(framework).append(" | ").append(variant).append(" | ")
                .append(String.format(Locale.ROOT, "%,.0f", examples));
        for (double v : new double[] {b, c, a, u, other, r}) {
            out.append(" | ").append(Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f", v));
        }
        out.append(" |\n");
    }

    private static double total(JsonNode stats, String key) {
        return stats.path(key).path("total_ms").asDouble(Double.NaN);
    }

    static double med(List<JsonNode> nodes, String field) {
        return Stats.of(nodes.stream().map(n -> n.path(field).asDouble(Double.NaN)).collect(Collectors.toList())).median();
    }

    // ---------------------------------------------------------------- round overhead

    private List<JsonNode> mlpRounds() {
        return rounds.stream().filter(n -> !n.path("variant").asText().endsWith("cnn"))
                .sorted(Comparator.comparingLong((JsonNode n) -> n.path("parameters").asLong())
                        .thenComparingInt(n -> n.path("partitions").asInt()))
                .collect(Collectors.toList());
    }

    private void roundOverhead(StringBuilder out) {
        List<JsonNode> mlp = mlpRounds();
        if (mlp.isEmpty()) {
            return;
        }
        out.append("## Kindling's round overhead against parameter count and partitions (`local[2]`)\n\n");
        out.append("Sync rounds (one batch of 100, split over the partitions) of MLPs 784-H-10 sized to about 10K, "
                + "100K, 1M and 10M float parameters, on the first examples of Fashion-MNIST; more partitions than "
                + "the 2 cores queue. Overhead = round − compute (the slowest task's computation): what Spark and "
                + "the driver add. Milliseconds, median (min–max) over the rounds after the first 10.\n\n");
        out.append("| parameters | network | partitions | round | compute | overhead | broadcast | aggregate | update "
                + "| rounds |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode n : mlp) {
            out.append("| ").append(String.format(Locale.ROOT, "%,d", n.path("parameters").asLong())).append(" | ")
                    .append(n.path("variant").asText().replace("sync, ", "")).append(" | ")
                    .append(n.path("partitions").asInt()).append(" | ")
                    .append(spread(n, "round_ms")).append(" | ").append(spread(n, "compute_ms")).append(" | ")
                    .append(spread(n, "overhead_ms")).append(" | ").append(spread(n, "broadcast_ms")).append(" | ")
                    .append(spread(n, "aggregate_ms")).append(" | ").append(spread(n, "update_ms")).append(" | ")
                    .append(n.path("rounds_measured").asInt()).append(" |\n");
        }
        out.append('\n');
        ScalingModel.Fit fit = ScalingModel.fit(mlp);
        if (fit != null) {
            out.append("Least-squares fit of the overhead over the rows with a direct merge (up to ")
                    .append(ScalingModel.DIRECT_MERGE_MAX_PARTITIONS)
                    .append(" partitions; with 8, treeAggregate adds a stage and 8 tasks queue on 2 cores, so those "
                    + "rows are shown but not fitted): overhead ≈ L + l × partitions + bytes / BW, "
                    + "with bytes = 4 × parameters × (1 + partitions) (the broadcast once, one partial result per "
                    + "partition; L ≥ 0): ").append(fit.describe()).append(".\n\n");
        }
    }

    private static String spread(JsonNode n, String field) {
        double m = n.path(field).asDouble(Double.NaN);
        double lo = n.path(field + "_min").asDouble(Double.NaN);
        double hi = n.path(field + "_max").asDouble(Double.NaN);
        return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", m, lo, hi);
    }

    // ---------------------------------------------------------------- scaling on paper

    private void scaling(StringBuilder out) {
        List<JsonNode> mlp = mlpRounds();
        ScalingModel.Fit fit = ScalingModel.fit(mlp);
        if (fit == null) {
            return;
        }
        List<ScalingModel.Workload> models = new ArrayList<>();
        // compute per example on one executor core: the slowest task's compute over its examples
        spark.stream().filter(n -> n.path("type").asText().equals("rounds") && n.path("master").asText().equals("local[2]")
                        && n.path("variant").asText().startsWith("sync"))
                .findFirst().ifPresent(n -> models.add(new ScalingModel.Workload("MLP 784-100-10",
                        n.path("parameters").asLong(), perExample(n))));
        rounds.stream().filter(n -> n.path("variant").asText().endsWith("cnn")).findFirst()
                .ifPresent(n -> models.add(new ScalingModel.Workload("CNN conv 5×5×20, dense 100",
                        n.path("parameters").asLong(), perExample(n))));
        mlp.stream().filter(n -> n.path("parameters").asLong() > 5_000_000 && n.path("partitions").asInt() == 2)
                .findFirst().ifPresent(n -> models.add(new ScalingModel.Workload("MLP 784-12700-10 (10M)",
                        n.path("parameters").asLong(), perExample(n))));
        if (mlp.stream().noneMatch(n -> n.path("partitions").asInt() == 2)) {
            return;
        }
        if (models.stream().noneMatch(w -> w.name().startsWith("MLP 784-100"))) {
            mlp.stream().filter(n -> n.path("parameters").asLong() > 50_000 && n.path("parameters").asLong() < 500_000)
                    .findFirst().ifPresent(n -> models.add(0, new ScalingModel.Workload("MLP 784-126-10",
                            n.path("parameters").asLong(), perExample(n))));
        }
        ScalingModel.markdown(out, fit, models);
    }

    /** Milliseconds of compute per example on one executor core, from a "rounds" line. */
    private static double perExample(JsonNode n) {
        double perTask = n.path("examples_per_round").asDouble() / Math.max(1, n.path("partitions").asInt(2));
        return n.path("compute_ms").asDouble() / perTask;
    }
}
