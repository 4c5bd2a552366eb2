package dev.kindling.cli;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backend;
import dev.kindling.backend.Backends;
import dev.kindling.config.Defaults;
import dev.kindling.config.JobConfig;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.AdamW;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.History;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.TrainListener;
import dev.kindling.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code kindling train}: trains a network and writes OUT/model/ and OUT/metrics.jsonl. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a network on an IDX dataset directory (e.g. Fashion-MNIST).")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Directory with train-/t10k- images and labels IDX files (.gz or raw).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output directory: model/, metrics.jsonl, config.json.")
    Path out;

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

    @Option(names = "--backend", description = "auto|blas|java|loop. Default auto (OpenBLAS where it loads).")
    String backend;

    @Option(names = "--master", description = "single (one machine, no Spark). Default single.")
    String master;

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
                weightDecay, patience, null, backend, master, null, null, null, null);
        JobConfig job;
        try {
            job = (configFile == null ? JobConfig.empty() : JobConfig.read(configFile)).overriddenBy(flags);
        } catch (KindlingException e) {
            throw new UsageException(e.getMessage());
        }
        Plan plan = Plan.of(job);
        if (!"single".equals(plan.master)) {
            throw new UsageException("master: \"" + plan.master + "\" is not available in this build; use --master single");
        }
        if (limit != null && limit <= 0) {
            throw new UsageException("limit: " + limit + " must be > 0");
        }
        RunDirectory run = RunDirectory.open(out, overwrite);

        IdxDirectory dir = IdxDirectory.open(data);
        Dataset all = dir.loadTrain();
        Dataset test = dir.loadTest();
        Dataset train = limit == null ? all : all.subset(0, Math.min(limit, all.size()));
        Backend be = Backends.create(plan.backend);
        Network net = Network.build(plan.spec, be);
        net.initialize(plan.train.seed());
        Optimizer opt = Optimizers.create(plan.optimizer, net.weightRanges());
        Trainer trainer = new Trainer(net, opt, plan.train);
        out().printf("kindling: training %s on %,d examples (%s backend, %s, lr %s, batch %d, %d epochs)%n",
                describe(plan.spec), train.size(), be.name(), opt.name(), plan.train.learningRate(),
                plan.train.batchSize(), plan.train.epochs());
        run.writeConfig(job);
        History history = trainer.fit(train, test, new TrainListener() {
            @Override
            public void onEpoch(EpochMetrics m) {
                run.appendMetrics(m);
                out().println(Progress.epochLine(m, plan.train.epochs()));
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

    static String describe(NetworkSpec spec) {
        return spec.layers().size() + "-layer network on " + spec.input() + " inputs";
    }

    /** The resolved settings of a job: defaults filled, every value validated. */
    record Plan(NetworkSpec spec, OptimizerConfig optimizer, TrainConfig train, String backend, String master) {
        static Plan of(JobConfig job) {
            try {
                NetworkSpec spec = job.networkSpec();
                String optName = job.optimizer() == null ? Defaults.OPTIMIZER : job.optimizer();
                TrainConfig train = TrainConfig.defaults();
                // through the decimal string so 0.001f prints as 0.001, not 0.0010000000474974513
                train = train.withLearningRate(job.lr() != null ? job.lr()
                        : Double.parseDouble(Float.toString(Optimizers.defaultLearningRate(optName))));
                if (job.batch() != null) {
                    train = train.withBatchSize(job.batch());
                }
                if (job.epochs() != null) {
                    train = train.withEpochs(job.epochs());
                }
                if (job.seed() != null) {
                    train = train.withSeed(job.seed());
                }
                if (job.schedule() != null) {
                    train = train.withSchedule(job.schedule());
                }
                if (job.patience() != null) {
                    train = train.withPatience(job.patience());
                }
                if (job.maxSteps() != null) {
                    train = train.withMaxSteps(job.maxSteps());
                }
                double decay = job.weightDecay() == null ? 0 : job.weightDecay();
                // AdamW decays inside the optimizer (decoupled); the L2 term must not apply twice.
                boolean decoupled = OptimizerConfig.of(optName).name().equals(AdamW.NAME);
                OptimizerConfig opt = decoupled && job.weightDecay() != null
                        ? new OptimizerConfig(optName, null, null, null, null, null, (float) decay)
                        : OptimizerConfig.of(optName);
                train = train.withWeightDecay(decoupled ? 0 : decay);
                String backend = job.backend() == null ? Defaults.BACKEND : job.backend();
                Backends.resolve(backend);
                return new Plan(spec, opt, train, backend, job.master() == null ? "single" : job.master());
            } catch (UsageException e) {
                throw e;
            } catch (KindlingException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }
}
