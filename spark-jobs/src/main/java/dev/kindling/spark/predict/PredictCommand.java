package dev.kindling.spark.predict;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.backend.Backends;
import dev.kindling.cli.ModuleCommand;
import dev.kindling.config.Defaults;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.spark.data.DataOptions;
import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.data.Examples;
import dev.kindling.spark.io.HadoopFiles;
import dev.kindling.spark.io.ModelDirectory;
import dev.kindling.spark.runtime.SparkErrors;
import dev.kindling.spark.runtime.SparkSettings;
import dev.kindling.spark.runtime.SparkStart;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kindling predict}: batch scoring of a data set with a saved model, on the executors, to
 * Parquet. The output directory appears whole or not at all: Spark writes a temporary sibling,
 * which is renamed into place once the write has committed.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score data (IDX, Parquet or image folders, read as train reads them) with a model and write "
                + "Parquet: id (or path, for image folders), label, prediction, probability.")
public final class PredictCommand implements Callable<Integer>, ModuleCommand {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory (OUT/model).")
    String model;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "The data (any Hadoop path).")
    String data;

    @Option(names = "--out", required = true, paramLabel = "PATH",
            description = "The Parquet directory to write (any Hadoop path).")
    String out;

    @Option(names = "--split", defaultValue = "test", description = "test | train: which examples of the data to "
            + "score (IDX: the t10k or the train files). Default test.")
    String split;

    @Option(names = "--data-option", paramLabel = "KEY=VALUE",
            description = "Data options as for train. Default: those the model records.")
    Map<String, String> dataOptions;

    @Option(names = "--master", description = "local[N] | local[*] | spark://HOST:PORT | yarn | k8s://URL. Default "
            + Defaults.MASTER + ".")
    String master;

    @Option(names = "--partitions", description = "Scoring tasks. Default: the default parallelism.")
    Integer partitions;

    @Option(names = "--backend", defaultValue = "auto", description = "auto|cuda|blas|java|loop.")
    String backend;

    @Option(names = "--overwrite", description = "Replace what --out holds.")
    boolean overwrite;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        if (!split.equals("test") && !split.equals("train")) {
            throw new UsageException("--split: expected test or train, got \"" + split + "\"");
        }
        if (partitions != null && partitions < 1) {
            throw new UsageException("--partitions: must be at least 1, got " + partitions);
        }
        Backends.checkName(backend); // the executors load it
        SparkConf conf = SparkSettings.forCommand(master, "predict");
        Configuration hadoop = SparkSettings.hadoop(conf);
        Path target = new Path(out);
        FileSystem fs;
        try {
            fs = target.getFileSystem(hadoop);
            if (fs.exists(target) && !overwrite) {
                throw new UsageException("--out: " + out + " already exists (give --overwrite to replace it)");
            }
            HadoopFiles.checkOutput(fs, target, "out", out);
        } catch (IOException e) {
            throw new KindlingException(out + ": " + SparkErrors.firstLine(e), e);
        }
        ModelFile.Contents contents = ModelDirectory.read(model, hadoop);
        Map<String, Object> recorded = contents.metadata().get("data") instanceof Map<?, ?> m
                ? Json.JSON.convertValue(m, new TypeReference<Map<String, Object>>() { }) : Map.of();
        Map<String, String> options = dataOptions == null || dataOptions.isEmpty()
                ? DataSources.recordedOptions(recorded, data, hadoop) : new TreeMap<>(dataOptions);
        DataSource source = DataSources.open(data, new DataOptions(options), hadoop);
        int outputs = ModelFile.toNetwork(model, contents, Backends.create(Backends.onDriver(backend))).outputCount();

        SparkSession spark = SparkStart.session(conf);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Examples examples = (split.equals("test") ? source.test(spark) : source.train(spark))
                    .fitted(contents.spec(), outputs);
            int tasks = partitions != null ? partitions : sc.defaultParallelism();
            Path temporary = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
            Scoring.write(spark, sc, contents, examples, tasks, backend, temporary.toString());
            publish(fs, temporary, target);
            console.println("kindling: predict: scored " + examples.count() + " examples of " + data + " ("
                    + split + "), wrote " + fs.makeQualified(target));
            return 0;
        } catch (IOException e) {
            throw new KindlingException(out + ": cannot write the predictions: " + SparkErrors.firstLine(e), e);
        } finally {
            spark.stop();
        }
    }

    /** Moves the written directory into place; an old one is set aside first and removed last. */
    private static void publish(FileSystem fs, Path written, Path target) throws IOException {
        Path old = null;
        if (fs.exists(target)) {
            old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
            if (!fs.rename(target, old)) {
                throw new IOException("cannot move " + target + " aside");
            }
        }
        if (!fs.rename(written, target)) {
            if (old != null) {
                fs.rename(old, target);
            }
            throw new IOException("cannot rename " + written + " to " + target);
        }
        if (old != null) {
            fs.delete(old, true);
        }
    }
}
