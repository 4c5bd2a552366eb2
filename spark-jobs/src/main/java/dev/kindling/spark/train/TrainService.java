package dev.kindling.spark.train;

import dev.kindling.Interrupt;
import dev.kindling.backend.Backends;
import dev.kindling.config.DataParallel;
import dev.kindling.config.EvaluateJob;
import dev.kindling.config.Masters;
import dev.kindling.config.TrainJob;
import dev.kindling.config.TrainSettings;
import dev.kindling.nn.Network;
import dev.kindling.report.Words;
import dev.kindling.spark.data.DataOptions;
import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.predict.EvaluateOnSpark;
import dev.kindling.spark.runtime.NativeMemoryCheck;
import dev.kindling.spark.runtime.SparkSettings;
import dev.kindling.spark.runtime.SparkStart;
import dev.kindling.train.DistributedTraining;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.History;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.UpdateStep;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code kindling train} on Spark: the {@link DistributedTraining} service the core's launcher
 * finds for every master but {@code single}. Reads the data ({@link DataSources}: IDX files through
 * Hadoop, Parquet and image folders through Spark SQL), shards and caches it, trains with {@link SparkTrainer}, and writes the run's outputs through Hadoop.
 */
public final class TrainService implements DistributedTraining {
    @Override
    public int evaluate(EvaluateJob job, PrintWriter out) {
        return EvaluateOnSpark.run(job, out);
    }

    @Override
    public boolean supports(String master) {
        return !Masters.SINGLE.equals(master);
    }

    @Override
    public int train(TrainJob job, PrintWriter out) {
        TrainSettings settings = job.settings();
        DataParallel dist = settings.parallel();
        TrainConfig config = settings.train();
        SparkConf conf = SparkSettings.forCommand(settings.master(), "train");
        Configuration hadoop = SparkSettings.hadoop(conf);
        RunOutput output = RunOutput.open(job.out(), hadoop, job.overwrite(), job.resume());
        Checkpoint checkpoint = job.resume() ? output.load() : null;

        DataSource source = DataSources.open(job.data(), new DataOptions(job.config().dataOptions()), hadoop);
        NativeMemoryCheck.check(conf, settings.spec(), config.batchSize(),
                dist.partitions() != null ? dist.partitions() : conf.getInt("spark.default.parallelism", 1),
                dist.localSteps(), settings.backend());

        SparkSession spark = SparkStart.session(conf);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SparkTrainer trainer = null;
        try {
            Network net = Network.build(settings.spec(), Backends.create(Backends.onDriver(settings.backend())));
            net.initialize(config.seed());
            TrainingShards shards = TrainingShards.of(sc, spark, source, settings.spec(), net.outputCount(),
                    Shards.count(sc, dist), job.limit());
            Shards trainShards = shards.train();
            Shards testShards = shards.test();
            int examples = trainShards.examples();
            if (settings.spec().normalize() != null && settings.spec().normalize().auto()) {
                // normalize: auto becomes the training shards' own mean and std, recorded in the model
                net = Network.build(settings.spec().withNormalize(trainShards.normalization(settings.spec().input())),
                        Backends.create(Backends.onDriver(settings.backend())));
                net.initialize(config.seed());
                out.println("kindling: normalize: auto: mean " + net.spec().normalize().mean() + ", std "
                        + net.spec().normalize().std() + " (of the training data)");
            }
            for (String note : source.notes()) {
                out.println("kindling: " + note);
            }
            if (!source.classNames().isEmpty()) {
                out.println("kindling: classes (label name): " + DataSources.describeClasses(source.classNames()));
            }
            trainer = new SparkTrainer(sc, net, settings, trainShards, testShards, output);
            String batchNote = UpdateStep.batchNote(config, examples);
            if (batchNote != null) {
                out.println("kindling: " + batchNote);
            }
            if (trainer.exchangeNote() != null) {
                out.println("kindling: " + trainer.exchangeNote());
            }
            out.printf("kindling: training %d-layer network on %,d examples in %d shards on Spark %s (%s, %s mode%s, "
                            + "%s exchange, %s, lr %s, batch %d, %s)%n", settings.spec().layers().size(), examples,
                    trainShards.count(), sc.version(), sc.master(), dist.mode(),
                    dist.local() ? " with " + dist.localSteps() + " local steps" : "", trainer.exchange(),
                    settings.optimizer().name(), config.learningRate(), UpdateStep.batchSize(config, examples),
                    Words.count(config.epochs(), "epoch"));
            if (checkpoint != null) {
                trainer.check(checkpoint); // before anything is written: a refused resume leaves the run as it was
                out.printf("kindling: resuming from round %d (epoch %d)%n", checkpoint.round(), checkpoint.epoch());
            }
            output.start();
            output.writeConfig(job.record());
            output.startMetrics(checkpoint);
            ConsoleProgress progress = new ConsoleProgress(out, config.epochs());
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
                public void onSegment(SegmentMetrics m) {
                    output.appendSegment(m);
                }

                @Override
                public void onNote(String line) {
                    out.println("kindling: " + line);
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
            meta.put("optimizer", settings.optimizer().name());
            meta.put("master", settings.master());
            meta.put("mode", dist.mode());
            meta.put("exchange", trainer.exchange());
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
        } catch (Exception e) { // a Spark job fails with SparkException, which Scala does not declare
            if (Interrupt.happened()) {
                throw Interrupt.stopped(interrupted(output, trainer, checkpoint != null), e);
            }
            throw e;
        } finally {
            output.close();
            spark.stop();
        }
    }

    /** What an interrupted run leaves in its directory, and how to go on from there (docs/faults.md). */
    private static String interrupted(RunOutput output, SparkTrainer trainer, boolean resuming) {
        long saved = output.checkpointRound();
        if (trainer == null) {
            return "interrupted before training started; " + (resuming ? output.path(RunOutput.CHECKPOINT)
                    + " is as it was: rerun the same command to resume from round " + saved : "nothing was written");
        }
        if (saved < 0) {
            return "interrupted in round " + trainer.round() + " with no checkpoint written: rerun the same command "
                    + "with --overwrite to start again";
        }
        return "interrupted in round " + trainer.round() + "; " + output.path(RunOutput.CHECKPOINT) + " holds round "
                + saved + ": rerun the same command with --resume to go on from there";
    }
}
