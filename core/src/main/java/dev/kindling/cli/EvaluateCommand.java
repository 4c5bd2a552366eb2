package dev.kindling.cli;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.backend.Backend;
import dev.kindling.backend.Backends;
import dev.kindling.backend.OpenBlasKernels;
import dev.kindling.config.Defaults;
import dev.kindling.config.EvaluateJob;
import dev.kindling.config.Masters;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.train.Evaluation;
import dev.kindling.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kindling evaluate}: test-set loss and accuracy of a saved model, as one JSON object. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on the test set (t10k files) of an IDX directory, or with Spark on "
                + "the test set of any data train reads.")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory (OUT/model).")
    String model;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "IDX dataset directory; with Spark any location train reads (Parquet, image folders, "
                    + "hdfs://, ...).")
    String data;

    @Option(names = "--data-option", paramLabel = "KEY=VALUE",
            description = "An option of the data source (Spark), repeatable. Default: those the model was trained "
                    + "with.")
    Map<String, String> dataOptions;

    @Option(names = "--master", description = "single | local[N] | local[*] | spark://HOST:PORT | yarn | k8s://URL. "
            + "Default: single for a local IDX directory, else " + Defaults.MASTER + ".")
    String master;

    @Option(names = "--backend", defaultValue = "auto", description = "auto|cuda|blas|java|loop.")
    String backend;

    @Spec
    CommandSpec spec;

    /**
     * Whether the data needs the Spark trainer: a master other than single, data options, a
     * non-local location, or a local one that is not an IDX directory (a missing one is left to
     * the IDX reader's message).
     */
    private boolean needsSpark() {
        if (master != null) {
            Masters.check(master.trim());
            return !Masters.SINGLE.equals(master.trim());
        }
        if (dataOptions != null && !dataOptions.isEmpty()) {
            return true;
        }
        if (data.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") && !data.startsWith("file:")) {
            return true;
        }
        Path dir = TrainCommand.localPath("data", data);
        if (Files.isRegularFile(dir)) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        for (String base : IdxDirectory.BASE_NAMES) {
            for (String name : IdxDirectory.fileNames(base)) {
                if (Files.exists(dir.resolve(name))) {
                    return false;
                }
            }
        }
        return true;
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public Integer call() {
        if (needsSpark()) {
            String m = master != null ? master : System.getProperty("spark.master", Defaults.MASTER);
            return TrainCommand.distributedTrainer(m).evaluate(new EvaluateJob(model, data,
                    dataOptions == null || dataOptions.isEmpty() ? null : new TreeMap<>(dataOptions), backend, m),
                    out());
        }
        if (dataOptions != null && !dataOptions.isEmpty()) {
            throw new UsageException("data-option: --master single reads IDX directories only and takes no data "
                    + "options; Parquet and image folders need a Spark master");
        }
        Path model = TrainCommand.localPath("model", this.model);
        Path data = TrainCommand.localPath("data", this.data);
        Backend be = Backends.create(backend);
        Network net = ModelFile.load(model, be);
        Dataset test = IdxDirectory.open(data).loadTest(net.outputCount(), "the model's outputs");
        if (!net.spec().accepts(Trainer.shapeOf(test))) {
            throw new KindlingException(data + ": examples of shape " + Trainer.shapeOf(test)
                    + " do not fit the model's input " + net.spec().input() + " (" + model + ")");
        }
        Evaluation e = Trainer.evaluate(net, test, 500);
        String kernels = OpenBlasKernels.lineFor(be);
        if (kernels != null) {
            // stdout holds the result alone (one JSON line), so the note goes to stderr; and only
            // once the evaluation is done, so that a refusal stays the one message there
            spec.commandLine().getErr().println("kindling: " + kernels);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("accuracy", e.accuracy());
        result.put("loss", e.loss());
        result.put("examples", e.examples());
        out().println(Json.line(result));
        return 0;
    }
}
