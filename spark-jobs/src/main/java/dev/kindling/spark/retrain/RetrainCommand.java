package dev.kindling.spark.retrain;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.Interrupt;
import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.backend.Backends;
import dev.kindling.cli.ModuleCommand;
import dev.kindling.config.JobConfig;
import dev.kindling.config.TrainSettings;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.spark.data.DataOptions;
import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.data.Examples;
import dev.kindling.spark.io.HadoopFiles;
import dev.kindling.spark.io.ModelDirectory;
import dev.kindling.spark.runtime.SparkErrors;
import dev.kindling.spark.runtime.SparkSettings;
import dev.kindling.spark.runtime.SparkStart;
import dev.kindling.spark.train.Shards;
import dev.kindling.spark.train.SparkTrainer;
import dev.kindling.train.Evaluation;
import dev.kindling.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
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
 * {@code kindling retrain}, for scheduled pipelines: warm-starts from the registry's CURRENT
 * version (or trains from scratch on an empty registry), trains on new data (optionally mixed
 * with a replay sample of earlier data), evaluates the candidate and CURRENT on the same
 * holdout, and promotes the candidate as a new version only when it beats CURRENT by the margin.
 * Each run leaves a record, {@code REGISTRY/runs/RUN_ID.json}; a rerun of a recorded run id
 * returns the recorded decision without training. The registry's lock keeps concurrent runs
 * apart.
 */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Warm-start from the registry's CURRENT model, train on new data, and promote a new version "
                + "only if it beats CURRENT on the holdout. Exit codes: 0 promoted, 3 kept CURRENT (not better by "
                + "the margin), 4 the registry is locked by another run, 1 failed, 2 bad command line or config, "
                + "130 interrupted (nothing promoted or recorded).")
public final class RetrainCommand implements Callable<Integer>, ModuleCommand {
    public static final int EXIT_KEPT = 3;
    public static final int EXIT_LOCKED = 4;
    static final String RUNS = "runs";

    @Option(names = "--registry", required = true, paramLabel = "PATH",
            description = "The model registry directory (any Hadoop path): v1, v2, ..., CURRENT, runs/.")
    String registry;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "The new data (IDX, Parquet or image folders); its training examples are trained on and, "
                    + "without --holdout, its test examples are the holdout.")
    String data;

    @Option(names = "--holdout", paramLabel = "PATH", description = "Data whose test examples are the holdout.")
    String holdout;

    @Option(names = "--replay", paramLabel = "PATH", description = "Earlier data to mix in (its training examples).")
    String replay;

    @Option(names = "--replay-fraction", defaultValue = "0.2",
            description = "The share of the training set drawn from --replay. Default 0.2.")
    double replayFraction;

    @Option(names = "--margin", defaultValue = "0",
            description = "Holdout accuracy the candidate must gain over CURRENT to be promoted. Default 0 (any gain).")
    double margin;

    @Option(names = "--run-id", description = "This run's id; a rerun with a recorded id returns its decision. "
            + "Default: the time now.")
    String runId;

    @Option(names = "--config", paramLabel = "FILE", description = "Training settings, as train --config takes them.")
    java.nio.file.Path configFile;

    @Option(names = "--epochs", description = "Epochs on the new data (over the config's).")
    Integer epochs;

    @Option(names = "--lr", description = "Learning rate (over the config's).")
    Double lr;

    @Option(names = "--master", description = "local[N] | spark://HOST:PORT | yarn | k8s://URL (over the config's).")
    String master;

    @Option(names = "--partitions", description = "Data shards. Default: the default parallelism.")
    Integer partitions;

    @Option(names = "--limit", description = "Use the first N new training examples only (quick runs).")
    Integer limit;

    @Option(names = "--stale-lock-minutes", defaultValue = "240",
            description = "A lock older than this is taken to belong to a run that died, and is taken over. "
                    + "Default 240.")
    long staleLockMinutes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!(replayFraction > 0 && replayFraction < 1)) {
            throw new UsageException("--replay-fraction: must be in (0, 1), got " + replayFraction);
        }
        if (!(margin >= 0 && margin < 1)) {
            throw new UsageException("--margin: must be in [0, 1), got " + margin);
        }
        if (limit != null && limit < 1) {
            throw new UsageException("--limit: must be at least 1, got " + limit);
        }
        String id = runId != null ? runId : Instant.now().toString().replace(':', '-');
        if (!id.matches("[A-Za-z0-9._-]+")) {
            throw new UsageException("--run-id: \"" + id + "\" may hold letters, digits, '.', '_' and '-' only");
        }
        JobConfig fileConfig = configFile == null ? JobConfig.empty() : readConfig(configFile);
        JobConfig flags = new JobConfig(null, null, null, null, null, lr, null, null, epochs, null, null, null, null,
                null, master, null, partitions, null, null, null, null, null, null);
        JobConfig config = fileConfig.overriddenBy(flags);
        // before resolving the settings, which take single and would list it among the masters
        SparkConf conf = SparkSettings.forCommand(config.master(), "retrain");
        TrainSettings plan = TrainSettings.resolve(config);
        Configuration hadoop = SparkSettings.hadoop(conf);
        try {
            Path root = new Path(registry);
            FileSystem fs = root.getFileSystem(hadoop);
            HadoopFiles.checkOutput(fs, root, "registry", registry);
            boolean created = !fs.exists(root);
            ModelRegistry models = new ModelRegistry(fs, root);
            Path record = new Path(new Path(root, RUNS), id + ".json");
            if (fs.exists(record)) {
                return recorded(fs, record, out);
            }
            String holder = id + " " + ManagementFactory.getRuntimeMXBean().getName();
            if (!models.tryLock(holder, staleLockMinutes * 60_000)) {
                spec.commandLine().getErr().println("kindling: retrain: " + new Path(root, "LOCK")
                        + " is held by another run; try again when it has finished");
                return EXIT_LOCKED;
            }
            try {
                if (fs.exists(record)) { // the run finished while this one waited for the lock
                    return recorded(fs, record, out);
                }
                return run(fs, models, record, id, config, plan, conf, hadoop, out);
            } catch (Exception e) { // a Spark job fails with SparkException, which Scala does not declare
                if (Interrupt.happened()) {
                    throw Interrupt.stopped("retrain: interrupted; nothing was promoted and run " + id + " is not "
                            + "recorded, so rerunning it (--run-id " + id + ") trains again; the registry's lock is "
                            + "released", e);
                }
                throw e;
            } finally {
                models.unlock();
                if (created) {
                    models.removeIfEmpty(); // a run that failed leaves no registry it made
                }
            }
        } catch (IOException e) {
            throw new KindlingException(registry + ": " + SparkErrors.firstLine(e), e);
        }
    }

    private int run(FileSystem fs, ModelRegistry models, Path record, String id, JobConfig config,
            TrainSettings plan, SparkConf conf, Configuration hadoop, PrintWriter out) throws IOException {
        OptionalInt current = models.current();
        ModelFile.Contents parent = current.isPresent()
                ? ModelDirectory.read(models.versionDir(current.getAsInt()).toString(), hadoop) : null;
        if (parent != null && config.network() != null && !parent.spec().equals(config.network())) {
            throw new UsageException("config: the network differs from CURRENT's (v" + current.getAsInt()
                    + "); a warm start keeps CURRENT's network");
        }
        Network net = Network.build(parent != null ? parent.spec() : plan.spec().requireNormalizeResolved("retrain"),
                Backends.create(Backends.onDriver(plan.backend())));
        if (parent != null) {
            System.arraycopy(parent.parameters(), 0, net.parameters(), 0, parent.parameters().length);
            System.arraycopy(parent.state(), 0, net.state(), 0, parent.state().length);
        } else {
            net.initialize(plan.train().seed());
        }
        DataSource source = DataSources.open(data, new DataOptions(config.dataOptions()), hadoop);
        SparkSession spark = SparkStart.session(conf);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Examples fresh = source.train(spark).fitted(net.spec(), net.outputCount());
            if (limit != null) {
                fresh = fresh.limit(limit);
            }
            Examples train = fresh;
            if (replay != null) {
                Examples earlier = DataSources.open(replay, new DataOptions(config.dataOptions()), hadoop).train(spark)
                        .fitted(net.spec(), net.outputCount());
                int wanted = (int) Math.min(earlier.count(), Math.round(fresh.count() * replayFraction
                        / (1 - replayFraction)));
                // sampled where the earlier examples lie: the driver never holds them
                train = fresh.concat(earlier.sample(wanted, plan.train().seed()));
                out.printf("kindling: retrain: %,d new examples and %,d replayed from %s%n", fresh.count(), wanted,
                        replay);
            }
            Examples holdoutSet = (holdout == null ? source.test(spark)
                    : DataSources.open(holdout, new DataOptions(config.dataOptions()), hadoop).test(spark))
                    .fitted(net.spec(), net.outputCount());
            out.printf("kindling: retrain: run %s, %s, %,d training examples, holdout %,d%n", id,
                    parent == null ? "empty registry: training from scratch" : "warm start from v" + current.getAsInt(),
                    train.count(), holdoutSet.count());

            int shardCount = Shards.count(sc, plan.parallel());
            Shards trainShards = Shards.of(sc, train, shardCount, "kindling-retrain");
            train.release();
            Shards holdoutShards = Shards.of(sc, holdoutSet, shardCount, "kindling-holdout");
            holdoutSet.release();
            Evaluation candidate;
            Evaluation incumbent;
            try {
                SparkTrainer trainer = new SparkTrainer(sc, net, plan, trainShards, null, null);
                trainer.fit(null);
                // both models scored where the holdout examples lie
                candidate = trainer.evaluate(holdoutShards, null);
                incumbent = parent == null ? null : new SparkTrainer(sc, ModelFile.toNetwork("v" + current.getAsInt(),
                        parent, Backends.create(Backends.onDriver(plan.backend()))), plan, trainShards, null, null)
                        .evaluate(holdoutShards, null);
            } finally {
                trainShards.release();
                holdoutShards.release();
            }
            // the evaluations run on the driver, which Spark's shutdown does not stop: the last point to stop at
            Interrupt.check();
            boolean promote = incumbent == null || candidate.accuracy() - incumbent.accuracy() > margin;

            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("run_id", id);
            rec.put("finished", Instant.now().toString());
            rec.put("parent", parent == null ? null : "v" + current.getAsInt());
            rec.put("decision", promote ? "promoted" : "kept");
            rec.put("margin", margin);
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("candidate", Map.of("accuracy", candidate.accuracy(), "loss", candidate.loss()));
            if (incumbent != null) {
                metrics.put("current", Map.of("accuracy", incumbent.accuracy(), "loss", incumbent.loss()));
            }
            rec.put("metrics", metrics);
            Map<String, Object> dataRecord = new LinkedHashMap<>();
            dataRecord.put("data", data);
            dataRecord.put("holdout", holdout == null ? data + " (test examples)" : holdout);
            dataRecord.put("replay", replay);
            dataRecord.put("replay_fraction", replay == null ? null : replayFraction);
            dataRecord.put("training_examples", train.count());
            rec.put("data", dataRecord);
            rec.put("config", Json.JSON.convertValue(config, new TypeReference<Map<String, Object>>() { }));
            if (promote) {
                int version = models.claimVersion();
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("version", "v" + version);
                meta.put("parent", rec.get("parent"));
                meta.put("run_id", id);
                meta.put("holdout_accuracy", candidate.accuracy());
                meta.put("data", source.record());
                byte[] weights = ModelFile.weights(net.parameters(), net.state());
                Map<String, byte[]> files = new LinkedHashMap<>();
                files.put(ModelFile.WEIGHTS, weights);
                files.put(ModelFile.DESCRIPTION, ModelFile.description(net.spec(), net.parameters().length,
                        net.state().length, weights, meta));
                Path dir = models.versionDir(version);
                HadoopFiles.writeDirectory(fs, dir, new Path(dir.getParent(), "." + dir.getName() + ".old"), files);
                models.promote(version);
                rec.put("version", "v" + version);
            }
            int code = promote ? 0 : EXIT_KEPT;
            rec.put("exit_code", code);
            fs.mkdirs(record.getParent());
            HadoopFiles.write(fs, record, Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(rec));
            out.printf(Locale.ROOT, "kindling: retrain: candidate %.4f%s on the holdout: %s%n", candidate.accuracy(),
                    incumbent == null ? "" : String.format(Locale.ROOT, " vs CURRENT %.4f (margin %s)",
                            incumbent.accuracy(), margin),
                    promote ? "promoted " + rec.get("version") : "kept CURRENT v" + current.getAsInt());
            return code;
        } finally {
            spark.stop();
        }
    }

    private int recorded(FileSystem fs, Path record, PrintWriter out) throws IOException {
        JsonNode rec = Json.JSON.readTree(new String(HadoopFiles.read(fs, record), StandardCharsets.UTF_8));
        out.println("kindling: retrain: run " + rec.path("run_id").asText() + " is already recorded in " + record
                + ": " + rec.path("decision").asText() + (rec.has("version") ? " " + rec.get("version").asText() : ""));
        return rec.path("exit_code").asInt(1);
    }

    private static JobConfig readConfig(java.nio.file.Path file) {
        try {
            return JobConfig.read(file);
        } catch (KindlingException e) {
            throw new UsageException(e.getMessage());
        }
    }

}
