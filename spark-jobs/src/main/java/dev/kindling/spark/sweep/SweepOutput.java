package dev.kindling.spark.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.config.JobConfig;
import dev.kindling.io.Json;
import dev.kindling.report.Charts;
import dev.kindling.spark.io.HadoopFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A sweep's output directory on any Hadoop file system: {@code trials/ID.json} (one per finished
 * trial, the record of what is done), {@code sweep.json} (the trials the spec makes, so that a
 * rerun with another spec is refused), and the results: {@code leaderboard.csv},
 * {@code leaderboard.json}, {@code best-config.yaml} (for {@code train --config}) and
 * {@code sweep.png}. Every file is written under a temporary name and renamed.
 */
public final class SweepOutput {
    public static final String TRIALS = "trials";
    static final String SWEEP = "sweep.json";
    static final String LEADERBOARD_CSV = "leaderboard.csv";
    public static final String LEADERBOARD_JSON = "leaderboard.json";
    public static final String BEST_CONFIG = "best-config.yaml";
    static final String CHART = "sweep.png";
    /** The config files' own YAML, without the keys left unset. */
    private static final ObjectMapper CONFIG_YAML = Json.YAML.copy()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final FileSystem fs;
    private final Path dir;
    /** The plan as sweep.json records it, and whether an old sweep is replaced: for {@link #start}. */
    private byte[] plan;
    private boolean overwrite;

    private SweepOutput(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    /**
     * Opens {@code location} for the sweep described by {@code plan} (the trials' ids and
     * values). A directory holding another sweep is refused unless {@code overwrite}, which
     * deletes its trials.
     */
    /**
     * The sweep's output directory at {@code location}, checked (writable; a sweep of other
     * trials there is refused without {@code overwrite}) but not yet written: {@link #start}
     * writes, once the data is read, so that a run refused before then leaves it as it was.
     */
    static SweepOutput open(String location, Configuration conf, Map<String, Object> plan, boolean overwrite) {
        Path path = new Path(location);
        try {
            FileSystem fs = path.getFileSystem(conf);
            path = fs.makeQualified(path);
            HadoopFiles.checkOutput(fs, path, "out", location);
            SweepOutput out = new SweepOutput(fs, path);
            Path recorded = out.path(SWEEP);
            out.plan = Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(plan);
            out.overwrite = overwrite;
            if (fs.exists(recorded) && !overwrite) {
                // compared as parsed JSON, so that formatting and number types do not count
                if (!Json.JSON.readTree(HadoopFiles.read(fs, recorded)).equals(Json.JSON.readTree(out.plan))) {
                    throw new UsageException("out: " + location + " holds a sweep of other trials (" + SWEEP
                            + " differs from this spec); pass --overwrite to replace it, or choose another directory");
                }
            }
            return out;
        } catch (IOException e) {
            throw new KindlingException("out: cannot prepare " + location + ": " + e.getMessage(), e);
        }
    }

    /** Clears an old sweep where asked to overwrite it, and records the plan. */
    void start() {
        try {
            if (overwrite) {
                for (String name : List.of(TRIALS, SWEEP, LEADERBOARD_CSV, LEADERBOARD_JSON, BEST_CONFIG, CHART)) {
                    fs.delete(path(name), true);
                }
            }
            fs.mkdirs(path(TRIALS));
            HadoopFiles.write(fs, path(SWEEP), plan);
        } catch (IOException e) {
            throw new KindlingException("out: cannot prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    Path path(String name) {
        return new Path(dir, name);
    }

    private Path trialPath(String id) {
        return new Path(path(TRIALS), id + ".json");
    }

    /** The record of trial {@code id} if it finished in an earlier invocation. */
    Optional<TrialRecord> finished(String id) {
        Path p = trialPath(id);
        try {
            if (!fs.exists(p)) {
                return Optional.empty();
            }
            return Optional.of(Json.JSON.readValue(HadoopFiles.read(fs, p), TrialRecord.class));
        } catch (IOException e) {
            throw new KindlingException(p + ": cannot read the trial record: " + e.getMessage(), e);
        }
    }

    /** How many trial records there are (those of earlier invocations included); -1 where they cannot be listed. */
    long recorded() {
        try {
            if (!fs.exists(path(TRIALS))) {
                return 0;
            }
            return java.util.Arrays.stream(fs.listStatus(path(TRIALS))).map(f -> f.getPath().getName())
                    .filter(n -> n.endsWith(".json") && !n.startsWith(".")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    void record(TrialRecord r) {
        write(trialPath(r.id()), Json.JSON.writerWithDefaultPrettyPrinter(), r);
    }

    /**
     * Writes the leaderboard (best first) as CSV and JSON, the best trial's config and the chart.
     *
     * @param summary   what leaderboard.json says about the sweep besides the ranking
     * @param configs   each ranked trial's full config
     */
    void results(List<TrialRecord> ranked, List<JobConfig> configs, List<String> parameters,
                 Map<String, Object> summary) {
        StringBuilder csv = new StringBuilder("rank,id,trial,rung,epochs");
        for (String p : parameters) {
            csv.append(',').append(csvCell(p));
        }
        csv.append(",validation_accuracy,validation_loss,train_accuracy,train_loss,seconds,error\n");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < ranked.size(); i++) {
            TrialRecord r = ranked.get(i);
            csv.append(i + 1).append(',').append(r.id()).append(',').append(r.trial()).append(',').append(r.rung())
                    .append(',').append(r.epochs());
            for (String p : parameters) {
                csv.append(',').append(csvCell(String.valueOf(r.params().get(p))));
            }
            csv.append(',').append(r.validationAccuracy()).append(',').append(r.validationLoss()).append(',')
                    .append(r.trainAccuracy()).append(',').append(r.trainLoss()).append(',')
                    .append(String.format(Locale.ROOT, "%.3f", r.seconds())).append(',')
                    .append(r.error() == null ? "" : csvCell(r.error())).append('\n');
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("rank", i + 1);
            row.putAll(Json.JSON.convertValue(r, Map.class));
            row.remove("curve");
            rows.add(row);
        }
        Map<String, Object> json = new LinkedHashMap<>(summary);
        json.put("leaderboard", rows);
        try {
            HadoopFiles.write(fs, path(LEADERBOARD_CSV), csv.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new KindlingException(path(LEADERBOARD_CSV) + ": cannot write: " + e.getMessage(), e);
        }
        write(path(LEADERBOARD_JSON), Json.JSON.writerWithDefaultPrettyPrinter(), json);
        write(path(BEST_CONFIG), CONFIG_YAML.writer(), configs.get(0));
        chart(ranked, parameters);
    }

    /** Validation accuracy against log10 of the learning rate where it varies, else against the trial number. */
    private void chart(List<TrialRecord> ranked, List<String> parameters) {
        boolean byLr = parameters.contains("lr");
        int best = Math.min(5, ranked.size());
        Map<String, double[][]> series = Charts.ordered();
        series.put("best " + best, points(ranked.subList(0, best), byLr));
        series.put("other trials", points(ranked.subList(best, ranked.size()), byLr));
        java.nio.file.Path tmp = null;
        try {
            tmp = Files.createTempFile("kindling-sweep", ".png");
            Charts.scatter(tmp, "Sweep: validation accuracy of " + ranked.size() + " trials",
                    byLr ? "log10 learning rate" : "trial", "validation accuracy", series, 1.0);
            HadoopFiles.write(fs, path(CHART), Files.readAllBytes(tmp));
        } catch (IOException e) {
            throw new KindlingException(path(CHART) + ": cannot write the chart: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    private static double[][] points(List<TrialRecord> trials, boolean byLr) {
        return trials.stream().map(t -> new double[] {
            byLr && t.params().get("lr") instanceof Number n ? Math.log10(n.doubleValue()) : t.trial(),
            t.validationAccuracy()}).toArray(double[][]::new);
    }

    private void write(Path file, com.fasterxml.jackson.databind.ObjectWriter writer, Object value) {
        try {
            HadoopFiles.write(fs, file, writer.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
