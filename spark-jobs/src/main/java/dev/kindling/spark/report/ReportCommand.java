package dev.kindling.spark.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.backend.Backends;
import dev.kindling.cli.ModuleCommand;
import dev.kindling.config.Defaults;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.spark.data.DataOptions;
import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.data.Examples;
import dev.kindling.spark.data.HadoopIdxDirectory;
import dev.kindling.spark.io.HadoopFiles;
import dev.kindling.spark.io.ModelDirectory;
import dev.kindling.spark.runtime.SparkSettings;
import dev.kindling.spark.runtime.SparkStart;
import dev.kindling.spark.sweep.SweepOutput;
import dev.kindling.spark.sweep.TrialRecord;
import dev.kindling.spark.train.RunOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kindling report}: one self-contained HTML page, {@code OUT/report.html}, for a training
 * run (loss curves, train against test accuracy, and the confusion matrix of the model on the
 * test data) or for a sweep (the leaderboard and its charts).
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write OUT/report.html, one self-contained page (charts by an inlined Chart.js, works offline) "
                + "for a training run or a sweep.")
public final class ReportCommand implements Callable<Integer>, ModuleCommand {
    static final String REPORT = "report.html";

    static final class Target {
        @Option(names = "--run", paramLabel = "OUT", required = true,
                description = "A train run's output directory (any Hadoop path).")
        String run;

        @Option(names = "--sweep", paramLabel = "OUT", required = true,
                description = "A sweep's output directory (any Hadoop path).")
        String sweep;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--data", paramLabel = "PATH", description = "Test data for the run's confusion matrix. Default: "
            + "where the model was trained (as recorded in model.json).")
    String data;

    @Option(names = "--master", description = "Spark master for reading Parquet or image folders. Default "
            + Defaults.MASTER + ".")
    String master;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String location = target.run != null ? target.run : target.sweep;
        SparkConf conf = SparkSettings.forCommand(master, "report");
        Configuration hadoop = SparkSettings.hadoop(conf);
        Path dir = new Path(location);
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            if (!fs.exists(dir)) {
                throw new UsageException((target.run != null ? "run" : "sweep") + ": " + location + " not found");
            }
            HtmlReport page = target.run != null ? runPage(fs, dir, conf, out) : sweepPage(fs, dir);
            Path file = new Path(dir, REPORT);
            HadoopFiles.write(fs, file, page.render());
            out.println("kindling: report: wrote " + fs.makeQualified(file));
            return 0;
        } catch (IOException e) {
            throw new KindlingException(location + ": cannot write the report: " + e.getMessage(), e);
        }
    }

    private HtmlReport runPage(FileSystem fs, Path dir, SparkConf conf, PrintWriter out) throws IOException {
        Path metricsFile = new Path(dir, RunOutput.METRICS);
        if (!fs.exists(metricsFile)) {
            throw new UsageException("run: " + dir + " holds no " + RunOutput.METRICS + " (is it a train --out?)");
        }
        List<JsonNode> epochs = new ArrayList<>();
        List<JsonNode> rounds = new ArrayList<>();
        String text = new String(HadoopFiles.read(fs, metricsFile), StandardCharsets.UTF_8);
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = Json.JSON.readTree(line);
            } catch (IOException e) {
                throw new KindlingException(metricsFile + ": line " + n + ": not JSON: " + e.getMessage());
            }
            String type = node.path("type").asText("epoch");
            (type.equals("round") ? rounds : type.equals("epoch") ? epochs : new ArrayList<JsonNode>()).add(node);
        }
        HtmlReport page = new HtmlReport("Training run " + dir.getName());
        page.paragraph(dir.toString());
        if (!epochs.isEmpty()) {
            JsonNode last = epochs.get(epochs.size() - 1);
            double train = last.path("train_accuracy").asDouble();
            double test = last.path("test_accuracy").asDouble();
            page.heading("Result").table(List.of("epochs", "train accuracy", "test accuracy", "gap (train − test)",
                            "train loss", "test loss", "training seconds"),
                    List.of(List.of(last.path("epoch").asInt(), train, test, train - test,
                            last.path("train_loss").asDouble(), last.path("test_loss").asDouble(),
                            last.path("elapsed_seconds").asDouble())));
            page.heading("Loss per epoch").chart("loss", HtmlReport.xy("line", "Loss", "epoch", "loss",
                    series(epochs, "epoch", Map.of("train loss", "train_loss", "test loss", "test_loss")), false));
            page.heading("Accuracy per epoch: train against test").paragraph("A widening gap between the two is "
                    + "overfitting: the network learns its training examples rather than the task.");
            page.chart("accuracy", HtmlReport.xy("line", "Accuracy", "epoch", "accuracy",
                    series(epochs, "epoch", Map.of("train accuracy", "train_accuracy",
                            "test accuracy", "test_accuracy")), false));
        } else {
            page.paragraph("No epoch has finished yet.");
        }
        if (!rounds.isEmpty()) {
            page.heading("Loss per round (Spark)").chart("rounds", HtmlReport.xy("line", "Mini-batch loss", "round",
                    "loss", series(rounds, "round", Map.of("loss", "loss")), false));
        }
        confusion(page, fs, dir, conf, out);
        Path config = new Path(dir, RunOutput.CONFIG);
        if (fs.exists(config)) {
            page.heading("Settings").table(List.of("key", "value"), settings(
                    Json.JSON.readTree(HadoopFiles.read(fs, config))));
        }
        return page;
    }

    /** Series of (x, y) by name from metric lines; {@code fields} maps a series' name to its field. */
    private static Map<String, List<double[]>> series(List<JsonNode> lines, String x, Map<String, String> fields) {
        Map<String, List<double[]>> s = new LinkedHashMap<>();
        fields.entrySet().stream().sorted(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder()))
                .forEach(f -> s.put(f.getKey(), lines.stream()
                        .map(l -> new double[] {l.path(x).asDouble(), l.path(f.getValue()).asDouble(Double.NaN)})
                        .toList()));
        return s;
    }

    private static List<List<Object>> settings(JsonNode config) {
        List<List<Object>> rows = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNull()) {
                rows.add(List.of(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
            }
        }
        return rows;
    }

    /** The model's confusion matrix on the test data: --data, or the data the model records. */
    private void confusion(HtmlReport page, FileSystem fs, Path dir, SparkConf conf, PrintWriter out) {
        Path modelDir = new Path(dir, RunOutput.MODEL);
        try {
            if (!fs.exists(modelDir)) {
                page.heading("Confusion matrix").paragraph("No model in " + modelDir + " (the run has not finished).");
                return;
            }
        } catch (IOException e) {
            throw new KindlingException(modelDir + ": cannot read: " + e.getMessage(), e);
        }
        Configuration hadoop = SparkSettings.hadoop(conf);
        ModelFile.Contents model = ModelDirectory.read(modelDir.toString(), hadoop);
        Map<String, Object> recorded = model.metadata().get("data") instanceof Map<?, ?> m
                ? Json.JSON.convertValue(m, new TypeReference<Map<String, Object>>() { }) : Map.of();
        String location = data != null ? data : (String) recorded.get("location");
        if (location == null) {
            page.heading("Confusion matrix").paragraph("The model does not record its data (a --master single run); "
                    + "pass --data for the confusion matrix.");
            return;
        }
        DataSource source = DataSources.open(location, new DataOptions(
                DataSources.recordedOptions(recorded, location, hadoop)), hadoop);
        Network net = ModelFile.toNetwork(modelDir.toString(), model, Backends.create(Defaults.BACKEND));
        SparkSession spark = SparkStart.session(conf);
        try {
            Examples test = source.test(spark).fitted(net.spec(), net.outputCount());
            ConfusionMatrix cm = ConfusionMatrix.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), model,
                    test, Defaults.BACKEND);
            List<String> names = new ArrayList<>();
            Object classes = recorded.get("classes");
            for (int i = 0; i < net.outputCount(); i++) {
                names.add(classes instanceof List<?> l && i < l.size() ? String.valueOf(l.get(i)) : Integer.toString(i));
            }
            page.heading("Confusion matrix on the test data").paragraph(String.format(Locale.ROOT,
                    "%s: %,d test examples, accuracy %.4f. Rows: the true class; columns: the predicted one.",
                    location, cm.total(), (double) cm.correct() / Math.max(1, cm.total())));
            page.confusion(names, cm.counts());
            page.chart("recall", HtmlReport.bars("Recall per class", "share of the class predicted right", names,
                    "recall", cm.recall()));
            out.printf(Locale.ROOT, "kindling: report: confusion matrix of %,d test examples from %s%n", cm.total(),
                    location);
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    private HtmlReport sweepPage(FileSystem fs, Path dir) throws IOException {
        Path board = new Path(dir, SweepOutput.LEADERBOARD_JSON);
        if (!fs.exists(board)) {
            throw new UsageException("sweep: " + dir + " holds no " + SweepOutput.LEADERBOARD_JSON
                    + " (is it a finished sweep --out?)");
        }
        JsonNode summary = Json.JSON.readTree(HadoopFiles.read(fs, board));
        JsonNode rows = summary.path("leaderboard");
        List<String> parameters = new ArrayList<>();
        summary.path("parameters").forEach(p -> parameters.add(p.asText()));
        HtmlReport page = new HtmlReport("Sweep " + dir.getName());
        page.paragraph(String.format(Locale.ROOT, "%s: %d trials (%s search, %s mode), %d epochs trained in all; "
                        + "judged on %,d validation examples held out from the training data.", dir,
                summary.path("trials").asInt(), summary.path("method").asText(), summary.path("trial_mode").asText(),
                summary.path("epochs_trained").asInt(), summary.path("validation_examples").asInt()));

        List<String> header = new ArrayList<>(List.of("rank", "trial", "epochs"));
        header.addAll(parameters);
        header.addAll(List.of("validation accuracy", "validation loss", "train accuracy"));
        List<List<Object>> table = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        double[] accuracy = new double[rows.size()];
        Map<String, List<double[]>> byLr = new LinkedHashMap<>();
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            List<Object> row = new ArrayList<>(List.of(r.path("rank").asInt(), r.path("id").asText(),
                    r.path("epochs").asInt()));
            for (String p : parameters) {
                JsonNode v = r.path("params").path(p);
                row.add(v.isNumber() ? (Object) v.asDouble() : v.asText());
            }
            row.addAll(List.of(r.path("validation_accuracy").asDouble(), r.path("validation_loss").asDouble(Double.NaN),
                    r.path("train_accuracy").asDouble()));
            table.add(row);
            ids.add(r.path("id").asText());
            accuracy[i] = r.path("validation_accuracy").asDouble();
            points.add(new double[] {parameters.contains("lr") ? r.path("params").path("lr").asDouble()
                    : r.path("trial").asDouble(), accuracy[i]});
        }
        byLr.put("trials", points);
        page.heading("Leaderboard (best first)").table(header, table);
        page.chart("leaderboard", HtmlReport.bars("Validation accuracy by trial, best first", "validation accuracy",
                ids, "validation accuracy", accuracy));
        page.chart("by-parameter", HtmlReport.xy("scatter", parameters.contains("lr")
                        ? "Validation accuracy against the learning rate" : "Validation accuracy by trial",
                parameters.contains("lr") ? "learning rate (log scale)" : "trial", "validation accuracy", byLr,
                parameters.contains("lr")));

        // validation curves of the best trials, from their records
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(8, rows.size()); i++) {
            Path record = new Path(new Path(dir, SweepOutput.TRIALS), ids.get(i) + ".json");
            if (fs.exists(record)) {
                TrialRecord t = Json.JSON.readValue(HadoopFiles.read(fs, record), TrialRecord.class);
                curves.put(t.id(), t.curve().stream()
                        .map(e -> new double[] {e.epoch(), e.validationAccuracy()}).toList());
            }
        }
        if (!curves.isEmpty()) {
            page.heading("Validation accuracy per epoch, best trials").chart("curves", HtmlReport.xy("line",
                    "Validation accuracy per epoch", "epoch", "validation accuracy", curves, false));
        }
        Path best = new Path(dir, SweepOutput.BEST_CONFIG);
        if (fs.exists(best)) {
            page.heading("Best config (" + SweepOutput.BEST_CONFIG + ", for train --config)")
                    .table(List.of("key", "value"), settings(Json.YAML.readTree(HadoopFiles.read(fs, best))));
        }
        return page;
    }
}
