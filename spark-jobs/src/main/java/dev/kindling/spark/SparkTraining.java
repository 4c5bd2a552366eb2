package dev.kindling.spark;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.cli.DistributedTraining;
import dev.kindling.cli.TrainJob;
import dev.kindling.cli.UsageException;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.History;
import dev.kindling.train.Trainer;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
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
    private static final Pattern MASTER = Pattern.compile(
            "local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?])?|local-cluster\\[[0-9, ]+]|spark://.+|yarn|k8s://.+|mesos://.+");

    @Override
    public boolean supports(String master) {
        return !"single".equals(master);
    }

    static void checkMaster(String master) {
        if (!MASTER.matcher(master).matches()) {
            throw new UsageException("master: unknown value \"" + master + "\" (expected single, local, local[N], "
                    + "local[*], spark://HOST:PORT, yarn or k8s://URL)");
        }
    }

    @Override
    public int train(TrainJob job, PrintWriter out) {
        checkMaster(job.master());
        SparkConf conf = SparkSettings.configure(new SparkConf(true).setMaster(job.master())
                .setIfMissing("spark.app.name", "kindling-train"));
        Configuration hadoop = hadoopConfiguration(conf);
        RunOutput output = RunOutput.open(job.out(), hadoop, job.overwrite(), job.resume());
        Checkpoint checkpoint = job.resume() ? output.load() : null;

        DataSource source = DataSources.open(job.data(), new DataOptions(job.config().dataOptions()), hadoop);
        Backends.resolve(job.backend());

        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try {
            Dataset all = source.train(spark);
            Dataset train = job.limit() == null ? all : all.subset(0, Math.min(job.limit(), all.size()));
            Dataset test = source.test(spark);
            Network net = Network.build(job.spec(), Backends.create(job.backend()));
            net.initialize(job.train().seed());
            train = fit(train, job, net.outputCount());
            test = fit(test, job, net.outputCount());
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
                    job.checkpointEvery(), job.backend());
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
    static Dataset fit(Dataset d, TrainJob job, int outputs) {
        if (!job.spec().accepts(Trainer.shapeOf(d))) {
            throw new KindlingException(d.source() + ": examples of shape " + Trainer.shapeOf(d)
                    + " do not fit the network's input " + job.spec().input());
        }
        if (d.classes() > outputs) {
            throw new KindlingException(d.source() + ": " + d.classes() + " classes, but the network has " + outputs
                    + " outputs");
        }
        return d.classes() == outputs ? d
                : new Dataset(d.source(), d.channels(), d.height(), d.width(), outputs, d.pixels(), d.labels());
    }

    static String describeClasses(List<String> names) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(i).append(' ').append(names.get(i));
        }
        return b.toString();
    }

    /** Hadoop settings as Spark would give them: the defaults plus every spark.hadoop.* entry. */
    static Configuration hadoopConfiguration(SparkConf conf) {
        Configuration hadoop = new Configuration();
        for (Tuple2<String, String> e : conf.getAll()) {
            if (e._1().startsWith("spark.hadoop.")) {
                hadoop.set(e._1().substring("spark.hadoop.".length()), e._2());
            }
        }
        return hadoop;
    }
}
