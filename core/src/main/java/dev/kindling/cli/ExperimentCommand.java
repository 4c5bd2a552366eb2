package dev.kindling.cli;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.config.Defaults;
import dev.kindling.data.IdxDirectory;
import dev.kindling.experiment.ExperimentContext;
import dev.kindling.experiment.GradientCheckExperiment;
import dev.kindling.experiment.HyperparameterSearch;
import dev.kindling.experiment.InitComparison;
import dev.kindling.experiment.OptimizerComparison;
import dev.kindling.experiment.OverfitExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kindling experiment NAME}: one of the textbook's experiments, writing its CSV table,
 * JSON summary and PNG chart to OUT and printing progress and a summary.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one of the textbook's experiments on Fashion-MNIST; writes a CSV table,"
                + " summary.json and a PNG chart to --out (replacing those of an earlier run).",
                "  optimizers  SGD, Momentum, AdaGrad, Adam: loss per iteration",
                "  init        initial weights std 0.01, Xavier, He: loss per iteration",
                "  overfit     300 examples; plain, weight decay 0.1, dropout 0.2: train/test accuracy per epoch",
                "  gradcheck   backprop vs numerical gradient per tensor, small MLP and CNN",
                "  search      random search of learning rate and weight decay on validation data"})
public final class ExperimentCommand implements Callable<Integer> {

    /** The options each experiment reads besides --data, --out, --seed and --backend. */
    private static final Map<String, List<String>> SCALE_OPTIONS = new LinkedHashMap<>();

    static {
        SCALE_OPTIONS.put(OptimizerComparison.NAME, List.of("--iterations", "--batch", "--limit", "--every"));
        SCALE_OPTIONS.put(InitComparison.NAME, List.of("--iterations", "--batch", "--limit", "--every"));
        SCALE_OPTIONS.put(OverfitExperiment.NAME, List.of("--epochs", "--limit", "--test-limit", "--batch", "--every"));
        SCALE_OPTIONS.put(GradientCheckExperiment.NAME, List.of("--limit"));
        SCALE_OPTIONS.put(HyperparameterSearch.NAME, List.of("--trials", "--epochs", "--limit", "--batch"));
    }

    @Parameters(index = "0", paramLabel = "NAME", description = "optimizers | init | overfit | gradcheck | search")
    String name;

    @Option(names = "--data", paramLabel = "DIR",
            description = "IDX dataset directory. Default: the installed Fashion-MNIST (scripts/fetch-data).")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default runs/experiment-NAME.")
    Path out;

    @Option(names = "--seed", paramLabel = "N", description = "Seeds initial weights, batch order, dropout and search draws. Default "
            + Defaults.SEED + ".")
    Long seed;

    @Option(names = "--backend", paramLabel = "NAME", description = "auto|cuda|blas|java|loop. Default " + Defaults.BACKEND + ".")
    String backend;

    @Option(names = "--iterations", paramLabel = "N", description = "optimizers, init: optimizer steps per variant. Default "
            + OptimizerComparison.Config.DEFAULT_ITERATIONS + ".")
    Integer iterations;

    @Option(names = "--epochs", paramLabel = "N", description = "overfit: epochs per run (default "
            + OverfitExperiment.Config.DEFAULT_EPOCHS + "); search: epochs per trial (default "
            + HyperparameterSearch.Config.DEFAULT_EPOCHS + ").")
    Integer epochs;

    @Option(names = "--trials", paramLabel = "N", description = "search: trials drawn. Default "
            + HyperparameterSearch.Config.DEFAULT_TRIALS + ".")
    Integer trials;

    @Option(names = "--limit", paramLabel = "N", description = "Use the first N training examples: optimizers, init (default all);"
            + " overfit (default " + OverfitExperiment.Config.DEFAULT_LIMIT + "); gradcheck (default "
            + GradientCheckExperiment.Config.DEFAULT_LIMIT + "); search, 20%% of them held out for validation"
            + " (default " + HyperparameterSearch.Config.DEFAULT_LIMIT + ").")
    Integer limit;

    @Option(names = "--test-limit", paramLabel = "N", description = "overfit: test on the first N test examples. Default all.")
    Integer testLimit;

    @Option(names = "--batch", paramLabel = "N", description = "Mini-batch size. Default " + OptimizerComparison.Config.DEFAULT_BATCH
            + " (optimizers, init), " + OverfitExperiment.Config.DEFAULT_BATCH + " (overfit, search).")
    Integer batch;

    @Option(names = "--every", paramLabel = "N", description = "Progress line every N iterations (optimizers, init; default "
            + OptimizerComparison.Config.DEFAULT_EVERY + ") or epochs (overfit; default "
            + OverfitExperiment.Config.DEFAULT_EVERY + "). search prints every trial.")
    Integer every;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<String> options = SCALE_OPTIONS.get(name);
        if (options == null) {
            throw new UsageException("experiment: unknown name \"" + name + "\" (expected "
                    + String.join(", ", SCALE_OPTIONS.keySet()) + ")");
        }
        rejectUnused(options);
        ExperimentContext ctx;
        try {
            ctx = new ExperimentContext(data == null ? installedData() : data,
                    out == null ? Path.of("runs", "experiment-" + name) : out,
                    seed == null ? Defaults.SEED : seed, backend == null ? Defaults.BACKEND : backend,
                    spec.commandLine().getOut());
        } catch (UsageException e) {
            throw e;
        } catch (KindlingException e) {
            throw new UsageException(e.getMessage());
        }
        switch (name) {
            case OptimizerComparison.NAME -> OptimizerComparison.run(
                    usage(() -> new OptimizerComparison.Config(iterations, batch, limit, every)), ctx);
            case InitComparison.NAME -> InitComparison.run(
                    usage(() -> new InitComparison.Config(iterations, batch, limit, every)), ctx);
            case OverfitExperiment.NAME -> OverfitExperiment.run(
                    usage(() -> new OverfitExperiment.Config(epochs, limit, testLimit, batch, every)), ctx);
            case GradientCheckExperiment.NAME -> GradientCheckExperiment.run(
                    usage(() -> new GradientCheckExperiment.Config(limit)), ctx);
            case HyperparameterSearch.NAME -> HyperparameterSearch.run(
                    usage(() -> new HyperparameterSearch.Config(trials, epochs, limit, batch)), ctx);
            default -> throw new IllegalStateException("no experiment for listed name " + name);
        }
        return 0;
    }

    /** A scale option the experiment does not read is almost always a mistake about which one runs. */
    private void rejectUnused(List<String> takes) {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("--iterations", iterations);
        given.put("--epochs", epochs);
        given.put("--trials", trials);
        given.put("--limit", limit);
        given.put("--test-limit", testLimit);
        given.put("--batch", batch);
        given.put("--every", every);
        List<String> unused = new ArrayList<>();
        for (Map.Entry<String, Object> e : given.entrySet()) {
            if (e.getValue() != null && !takes.contains(e.getKey())) {
                unused.add(e.getKey() + " " + e.getValue());
            }
        }
        if (!unused.isEmpty()) {
            throw new UsageException(String.join(", ", unused) + ": not used by experiment \"" + name
                    + "\" (it takes " + String.join(", ", takes) + ")");
        }
    }

    private static Path installedData() {
        return IdxDirectory.findInstalled().orElseThrow(() -> new UsageException(
                "data: no --data given and Fashion-MNIST is not installed in " + IdxDirectory.DEBIAN_FASHION_MNIST
                        + " or " + IdxDirectory.CACHE_FASHION_MNIST + " (run scripts/fetch-data, or pass --data DIR)"));
    }

    /** Builds a settings record, reporting a bad value as a command-line error. */
    private static <T> T usage(Supplier<T> build) {
        try {
            return build.get();
        } catch (KindlingException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
