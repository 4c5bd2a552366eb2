package dev.kindling.cli;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.backend.Backend;
import dev.kindling.backend.Backends;
import dev.kindling.backend.OpenBlasKernels;
import dev.kindling.config.Defaults;
import dev.kindling.config.JobConfig;
import dev.kindling.config.TrainJob;
import dev.kindling.config.TrainSettings;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Normalization;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.Optimizers;
import dev.kindling.report.Words;
import dev.kindling.train.DistributedTraining;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.History;
import dev.kindling.train.TrainListener;
import dev.kindling.train.Trainer;
import dev.kindling.train.UpdateStep;
import dev.kindling.train.Warmup;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kindling train}: trains a network and writes OUT/model/ and OUT/metrics.jsonl. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a network on an IDX dataset directory (e.g. Fashion-MNIST), or with a Spark master "
                + "on Parquet or image folders.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Directory with train-/t10k- images and labels IDX files (.gz or raw); "
                    + "with a Spark master any Hadoop path (hdfs://, file://) holding IDX files, Parquet "
                    + "or image folders.")
    String data;

    @Option(names = "--data-option", paramLabel = "KEY=VALUE",
            description = "An option of the data source, repeatable (Spark): format, height, width, channels, "
                    + "layout, classes, label-column, image-column, color, invalid-images, test-fraction, split-seed.")
    Map<String, String> dataOptions;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output directory: model/, metrics.jsonl, config.json; "
                    + "with a Spark master any Hadoop path.")
    String out;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON config; flags override it.")
    Path configFile;

    @Option(names = "--arch", description = "MLP shorthand, e.g. 784-100-10 (ReLU hidden, softmax out). Default "
            + Defaults.ARCH + ".")
    String arch;

    @Option(names = "--optimizer", description = "sgd|momentum|nesterov|adagrad|rmsprop|adam|adamw. Default "
            + Defaults.OPTIMIZER + ".")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate. Default: the optimizer's (0.01; 0.001 for adam, adamw).")
    Double lr;

    @Option(names = "--schedule", description = "constant | step:EVERY:GAMMA | cosine. Default constant.")
    String schedule;

    @Option(names = "--batch", description = "Mini-batch size. Default " + Defaults.BATCH + ".")
    Integer batch;

    @Option(names = "--epochs", description = "Default " + Defaults.EPOCHS + ".")
    Integer epochs;

    @Option(names = "--seed", description = "Seeds init, shuffling and dropout. Default " + Defaults.SEED + ".")
    Long seed;

    @Option(names = "--init", description = "gaussian[:std] | xavier | he, for the --arch MLP. Default he.")
    String init;

    @Option(names = "--weight-decay", description = "L2 decay on weights (not biases). Default 0.")
    Double weightDecay;

    @Option(names = "--dropout", description = "Dropout rate after each hidden layer of the --arch MLP.")
    Double dropout;

    @Option(names = "--patience", description = "Stop after this many epochs without a better test loss (0: off).")
    Integer patience;

    @Option(names = "--backend", description = "auto|cuda|blas|java|loop. Default auto: cuda in a Spark task given a GPU, else OpenBLAS where it loads.")
    String backend;

    @Option(names = "--master", description = "single (one machine, no Spark) | local[N] | local[*] | "
            + "spark://HOST:PORT | yarn | k8s://URL. Default " + Defaults.MASTER
            + " (inside spark-submit: the master it was given).")
    String master;

    @Option(names = "--mode", description = "sync (gradients averaged every round) | local (each shard takes "
            + "--local-steps steps, then parameters and optimizer state are averaged). Default " + Defaults.MODE + ".")
    String mode;

    @Option(names = "--partitions", description = "Data shards (Spark). Default: the default parallelism.")
    Integer partitions;

    @Option(names = "--shards", paramLabel = "N", description = "--master single: sample as a Spark run on N "
            + "shards does (each shard shuffles its own examples; every batch takes a share of each), so that the "
            + "two give the same run. Default: one shuffled order of all the examples.")
    Integer shards;

    @Option(names = "--local-steps", description = "Local steps per round in --mode local. Default "
            + Defaults.LOCAL_STEPS + ".")
    Integer localSteps;

    @Option(names = "--checkpoint-every", description = "Rounds between checkpoints (Spark; 0: never). "
            + "Default: once per epoch.")
    Integer checkpointEvery;

    @Option(names = "--divergence-retries", paramLabel = "N", description = "When the loss becomes NaN, infinite "
            + "or over 1000 times the first loss (Spark): go back to the last checkpoint and retry with half the learning rate, at most N "
            + "times, before stopping. Default 0: stop, keeping the last good checkpoint.")
    Integer divergenceRetries;

    @Option(names = "--exchange", paramLabel = "collective|driver", description = "How the shards' gradients meet "
            + "(Spark): collective (one barrier stage runs many rounds; its tasks reduce-scatter and all-gather among "
            + "themselves, each updating its slice of the parameters) or driver (one Spark job per round, summed on the "
            + "driver). Default: collective where the cluster can run a barrier stage with a slot for every shard, "
            + "else driver, saying why.")
    String exchange;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint (Spark).")
    boolean resume;

    @Option(names = "--limit", description = "Train on the first N training examples only (quick runs).")
    Integer limit;

    @Option(names = "--overwrite", description = "Replace the results of an earlier run in --out.")
    boolean overwrite;

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public Integer call() {
        JobConfig flags = new JobConfig(null, arch, init, dropout, optimizer, lr, schedule, batch, epochs, seed,
                weightDecay, patience, null, backend, master, mode, partitions, localSteps, checkpointEvery,
                divergenceRetries, exchange, dataOptions == null || dataOptions.isEmpty() ? null : new java.util.TreeMap<>(dataOptions),
                shards);
        JobConfig fromFile;
        try {
            fromFile = configFile == null ? JobConfig.empty() : JobConfig.read(configFile);
        } catch (KindlingException e) {
            throw new UsageException(e.getMessage());
        }
        JobConfig job = fromFile.overriddenBy(flags);
        TrainSettings plan;
        try {
            plan = TrainSettings.resolve(job);
        } catch (UsageException e) {
            throw namingTheConfigFile(e, fromFile, flags);
        }
        TrainJob trainJob = new TrainJob(data, out, job, plan, resume, overwrite, limit);
        if (!plan.single()) {
            return distributedTrainer(plan.master()).train(trainJob, out());
        }
        if (job.dataOptions() != null) {
            throw new UsageException("data-option: --master single reads IDX directories only and takes no data "
                    + "options (" + String.join(", ", job.dataOptions().keySet()) + "); Parquet and image folders "
                    + "need a Spark master");
        }
        if (resume) {
            throw new UsageException("resume: --master single keeps no checkpoints; resuming needs a Spark master");
        }
        if (job.partitions() != null) {
            // one JVM has no partitions: ignoring the setting would let a run look distributed that is not
            throw new UsageException("partitions: " + job.partitions() + " applies to a Spark master; --master single "
                    + "trains in one JVM (leave --partitions out, give --shards " + job.partitions()
                    + " to sample as that many Spark shards do, or use e.g. --master local[*])");
        }
        RunDirectory run = RunDirectory.open(localPath("out", out), overwrite);

        IdxDirectory dir = IdxDirectory.open(localPath("data", data));
        Backend be = Backends.create(plan.backend());
        Network described = Network.build(plan.spec(), be);
        // the JIT compiles the training step on random examples while the data is read
        Warmup warmup = Warmup.start(plan.spec(), be.name(), plan.optimizer(), plan.train());
        // IDX labels are bare bytes: the classes are the network's outputs
        Dataset all = dir.loadTrain(described.outputCount(), "the network's outputs");
        Dataset test = dir.loadTest(described.outputCount(), "the network's outputs");
        Dataset train = limit == null ? all : all.subset(0, Math.min(limit, all.size()));
        // normalize: auto becomes the training data's own mean and std, recorded in the model
        Network net = plan.spec().normalize() == null || !plan.spec().normalize().auto() ? described
                : Network.build(plan.spec().withNormalize(Normalization.of(train, plan.spec().input())), be);
        net.initialize(plan.train().seed());
        Optimizer opt = Optimizers.create(plan.optimizer(), net.weightRanges());
        Trainer.checkFits(net, train, "training data");
        Trainer.checkFits(net, test, "test data");
        Trainer trainer = new Trainer(net, opt, plan.train());
        String batchNote = UpdateStep.batchNote(plan.train(), train.size());
        if (batchNote != null) {
            out().println("kindling: " + batchNote);
        }
        String kernels = OpenBlasKernels.lineFor(be);
        if (kernels != null) {
            out().println("kindling: " + kernels);
        }
        out().printf("kindling: training %s on %,d examples (%s backend, %s, lr %s, batch %d, %s)%n",
                describe(plan.spec()), train.size(), be.name(), opt.name(), plan.train().learningRate(),
                UpdateStep.batchSize(plan.train(), train.size()), Words.count(plan.train().epochs(), "epoch"));
        run.start();
        run.writeConfig(trainJob.record());
        warmup.await();
        long trainingStart = System.nanoTime();
        History history = trainer.fit(train, test, new TrainListener() {
            @Override
            public void onEpoch(EpochMetrics m) {
                run.appendMetrics(m);
                out().println(Progress.epochLine(m, plan.train().epochs(), (System.nanoTime() - trainingStart) / 1e9));
            }
        });
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("optimizer", opt.name());
        meta.put("epochs", history.epochs().size());
        meta.put("test_accuracy", history.last().testAccuracy());
        meta.put("test_loss", history.last().testLoss());
        ModelFile.save(net, meta, run.modelDir());
        EpochMetrics last = history.last();
        out().printf("kindling: done: test accuracy %.4f, model in %s%n", last.testAccuracy(), run.modelDir());
        return 0;
    }

    /**
     * A bad value's error, naming the config file when the value came from it rather than from a
     * flag (the message starts with the field's name, the file's key).
     */
    private UsageException namingTheConfigFile(UsageException e, JobConfig fromFile, JobConfig flags) {
        if (configFile == null) {
            return e;
        }
        String field = e.getMessage().split("[:. ]", 2)[0];
        boolean inFile = Json.JSON.valueToTree(fromFile).hasNonNull(field);
        boolean inFlags = Json.JSON.valueToTree(flags).hasNonNull(field);
        return inFile && !inFlags ? new UsageException(configFile + ": " + e.getMessage()) : e;
    }

    /** The registered trainer for {@code master}, or a usage error naming the master. */
    static DistributedTraining distributedTrainer(String master) {
        for (DistributedTraining t : ServiceLoader.load(DistributedTraining.class)) {
            if (t.supports(master)) {
                return t;
            }
        }
        throw new UsageException("master: \"" + master + "\" needs the Spark trainer (module spark-jobs), "
                + "which is not on the class path; run through scripts/kindling or spark-submit, "
                + "or use --master single");
    }

    /** A local path for the single-machine trainer: plain, or a file: URI. */
    static Path localPath(String field, String location) {
        if (location.startsWith("file:")) {
            return Path.of(URI.create(location));
        }
        if (location.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            throw new UsageException(field + ": \"" + location + "\" is not a local path; --master single reads and "
                    + "writes local files only (a Spark master reads Hadoop paths)");
        }
        return Path.of(location);
    }

    static String describe(NetworkSpec spec) {
        return spec.layers().size() + "-layer network on " + spec.input() + " inputs";
    }
}
