package dev.kindling.spark.train;

import dev.kindling.spark.data.DataOptions;
import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.data.HadoopIdxDirectory;
import dev.kindling.spark.io.HadoopFiles;
import dev.kindling.spark.runtime.NativeMemoryCheck;
import dev.kindling.spark.runtime.SparkErrors;
import dev.kindling.spark.runtime.SparkSettings;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.cli.DistributedTraining;
import dev.kindling.cli.EvaluateJob;
import dev.kindling.cli.TrainJob;
import dev.kindling.cli.UsageException;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.Evaluation;
import dev.kindling.train.History;
import dev.kindling.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * {@code kindling train} on Spark: the {@link DistributedTraining} service the core's launcher
 * finds for every master but {@code single}. Reads the data ({@link DataSources}: IDX files through
 * Hadoop, Parquet and image folders through Spark SQL), shards and caches it, trains with {@link SparkTrainer}, and writes the run's outputs through Hadoop.
 */
public final class SparkTraining implements DistributedTraining {
    @Override
    public boolean supports(String master) {
        return !"single".equals(master);
    }

    @Override
    public int train(TrainJob job, PrintWriter out) {
        SparkConf conf = SparkSettings.forCommand(job.master(), "kindling-train");
        Configuration hadoop = hadoopConfiguration(conf);
        RunOutput output = RunOutput.open(job.out(), hadoop, job.overwrite(), job.resume());
        Checkpoint checkpoint = job.resume() ? output.load() : null;

        DataSource source = DataSources.open(job.data(), new DataOptions(job.config().dataOptions()), hadoop);
        Backends.checkName(job.backend()); // the executors load it
        NativeMemoryCheck.check(conf, job.spec(), job.train().batchSize(),
                job.partitions() != null ? job.partitions() : conf.getInt("spark.default.parallelism", 1),
                job.localSteps(), job.backend());

        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try {
            Dataset all = source.train(spark);
            Dataset train = job.limit() == null ? all : all.subset(0, Math.min(job.limit(), all.size()));
            Dataset test = source.test(spark);
            Network net = Network.build(job.spec(), Backends.create(Backends.onDriver(job.backend())));
            net.initialize(job.train().seed());
            train = fit(train, job.spec(), net.outputCount());
            test = fit(test, job.spec(), net.outputCount());
            for (String note : source.notes()) {
                out.println("kindling: " + note);
            }
            if (!source.classNames().isEmpty()) {
                out.println("kindling: classes (label name): " + describeClasses(source.classNames()));
            }
            int partitions = job.partitions() != null ? job.partitions() : sc.defaultParallelism();
            Shards trainShards = Shards.of(sc, train, partitions, "kindling-train");
            Shards testShards = Shards.of(sc, test, partitions, "kindling-test");
            SparkTrainer.Settings settings = new SparkTrainer.Settings(job.mode(), job.localSteps(),
                    job.checkpointEvery(), job.backend(),
                    job.config().divergenceRetries() == null ? 0 : job.config().divergenceRetries());
            SparkTrainer trainer = new SparkTrainer(sc, net, job.optimizer(), job.train(), settings, trainShards,
                    testShards, output);
            out.printf("kindling: training %d-layer network on %,d examples in %d shards on Spark %s (%s, %s mode%s, "
                            + "%s, lr %s, batch %d, %d epochs)%n", job.spec().layers().size(), train.size(),
                    trainShards.count(), sc.version(), sc.master(), job.mode(),
                    "local".equals(job.mode()) ? " with " + job.localSteps() + " local steps" : "",
                    job.optimizer().name(), job.train().learningRate(), job.train().batchSize(), job.train().epochs());
            if (checkpoint != null) {
                out.printf("kindling: resuming from round %d (epoch %d)%n", checkpoint.round(), checkpoint.epoch());
            }
            output.start();
            output.writeConfig(job.config());
            output.startMetrics(checkpoint);
            ConsoleProgress progress = new ConsoleProgress(out, job.train().epochs());
            SparkTrainer.Listener listener = new SparkTrainer.Listener() {
                @Override
                public void onStart(long round, long totalRounds) {
                    progress.onStart(round, totalRounds);
                }

                @Override
                public void onRound(RoundMetrics m) {
                    output.appendRound(m);
                    progress.onRound(m);
                }

                @Override
                public void onEpoch(EpochMetrics m) {
                    output.appendEpoch(m);
                    progress.onEpoch(m);
                }

                @Override
                public void onRetry(String cause, Checkpoint to, double learningRate) {
                    output.appendRetry(cause, to, learningRate);
                    out.printf("kindling: %s; retrying from round %d with lr %s%n", cause, to.round(), learningRate);
                }
            };
            History history = checkpoint == null ? trainer.fit(listener) : trainer.resume(checkpoint, listener);
            output.close();
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("optimizer", job.optimizer().name());
            meta.put("master", job.master());
            meta.put("mode", job.mode());
            meta.put("rounds", trainer.round());
            meta.put("data", source.record());
            if (!history.epochs().isEmpty()) {
                meta.put("epochs", history.last().epoch());
                meta.put("test_accuracy", history.last().testAccuracy());
                meta.put("test_loss", history.last().testLoss());
            }
            output.saveModel(net, meta);
            trainShards.release();
            testShards.release();
            String accuracy = history.epochs().isEmpty() ? "n/a"
                    : String.format(java.util.Locale.ROOT, "%.4f", history.last().testAccuracy());
            out.printf("kindling: done: test accuracy %s, model in %s%n", accuracy, output.path(RunOutput.MODEL));
            return 0;
        } finally {
            output.close();
            spark.stop();
        }
    }

    /**
     * {@code d} checked against the network (shape; no more classes than outputs) and widened to
     * as many classes as the network has outputs, the width of the one-hot targets it is trained on.
     */
    public static Dataset fit(Dataset d, NetworkSpec spec, int outputs) {
        if (!spec.accepts(Trainer.shapeOf(d))) {
            throw new KindlingException(d.source() + ": examples of shape " + Trainer.shapeOf(d)
                    + " do not fit the network's input " + spec.input());
        }
        if (d.classes() > outputs) {
            throw new KindlingException(d.source() + ": " + d.classes() + " classes, but the network has " + outputs
                    + " outputs");
        }
        return d.withClasses(outputs);
    }

    static String describeClasses(List<String> names) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(i).append(' ').append(names.get(i));
        }
        return b.toString();
    }

    /**
     * {@code kindling evaluate} on data read as {@code train} reads it. Without data options it
     * uses those the model records (the split ones only for the location it was trained on, so a
     * held-out test set is the same one), and image folders must name the model's classes.
     */
    @Override
    public int evaluate(EvaluateJob job, PrintWriter out) {
        SparkConf conf = SparkSettings.forCommand(job.master(), "kindling-evaluate");
        Configuration hadoop = hadoopConfiguration(conf);
        ModelFile.Contents model = readModel(job.model(), hadoop);
        Map<String, Object> recorded = model.metadata().get("data") instanceof Map<?, ?> m
                ? Json.JSON.convertValue(m, new TypeReference<Map<String, Object>>() { }) : Map.of();
        Map<String, String> options = job.dataOptions();
        if (options == null) {
            options = recordedOptions(recorded, job.data(), hadoop);
        }
        DataSource source = DataSources.open(job.data(), new DataOptions(options), hadoop);
        Object classes = recorded.get("classes");
        if (classes instanceof List<?> names && !source.classNames().isEmpty() && !names.equals(source.classNames())) {
            throw new KindlingException(job.data() + ": the class folders (" + String.join(", ", source.classNames())
                    + ") are not the classes the model was trained on (" + names + ")");
        }
        Network net = ModelFile.toNetwork(job.model(), model, Backends.create(Backends.onDriver(job.backend())));
        boolean needsSpark = !(source instanceof HadoopIdxDirectory);
        SparkSession spark = needsSpark ? SparkSession.builder().config(conf).getOrCreate() : null;
        try {
            Dataset test = fit(source.test(spark), net.spec(), net.outputCount());
            Evaluation e = Trainer.evaluate(net, test, 500);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("accuracy", e.accuracy());
            result.put("loss", e.loss());
            result.put("examples", e.examples());
            out.println(Json.line(result));
            return 0;
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    /** The data options a model records, less the split ones unless {@code data} is where it was trained. */
    public static Map<String, String> recordedOptions(Map<String, Object> recorded, String data, Configuration hadoop) {
        Map<String, String> options = new TreeMap<>();
        if (recorded.get("options") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> options.put(String.valueOf(k), String.valueOf(v)));
        }
        String here;
        try {
            Path p = new Path(data);
            here = p.getFileSystem(hadoop).makeQualified(p).toString();
        } catch (IOException | RuntimeException e) {
            here = data;
        }
        if (!here.equals(recorded.get("location"))) {
            options.remove("test-fraction");
            options.remove("split-seed");
        }
        return options;
    }

    /** A model directory (model.json and weights.bin) on any Hadoop file system. */
    public static ModelFile.Contents readModel(String location, Configuration hadoop) {
        Path dir = new Path(location);
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            // a save interrupted between moving the old model aside and renaming the new one into
            // place leaves only the old one, complete, beside it (RunOutput.saveModel)
            Path aside = dir.getParent() == null ? null : new Path(dir.getParent(), "." + dir.getName() + ".old");
            if (!fs.exists(dir) && aside != null && fs.exists(aside)) {
                dir = aside;
            }
            Path description = new Path(dir, ModelFile.DESCRIPTION);
            Path weights = new Path(dir, ModelFile.WEIGHTS);
            for (Path p : new Path[] {description, weights}) {
                if (!fs.exists(p)) {
                    throw new KindlingException(p + ": model file not found (--model names a model directory, "
                            + "OUT/model)");
                }
            }
            return ModelFile.parse(description.toString(), HadoopFiles.read(fs, description), weights.toString(),
                    HadoopFiles.read(fs, weights));
        } catch (IOException e) {
            throw new KindlingException(location + ": cannot read the model: " + SparkErrors.firstLine(e), e);
        }
    }

    /** Hadoop settings as Spark would give them: the defaults plus every spark.hadoop.* entry. */
    public static Configuration hadoopConfiguration(SparkConf conf) {
        Configuration hadoop = new Configuration();
        for (Tuple2<String, String> e : conf.getAll()) {
            if (e._1().startsWith("spark.hadoop.")) {
                hadoop.set(e._1().substring("spark.hadoop.".length()), e._2());
            }
        }
        return hadoop;
    }
}
