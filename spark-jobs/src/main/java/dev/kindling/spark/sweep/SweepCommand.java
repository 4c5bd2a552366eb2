package dev.kindling.spark.sweep;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.cli.ModuleCommand;
import dev.kindling.config.Defaults;
import dev.kindling.search.SweepSpec;
import dev.kindling.spark.runtime.SparkSettings;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kindling sweep}: a grid or random hyperparameter search on Spark, optionally with successive halving. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Search hyperparameters on Spark: the trials of a sweep spec (grid or random, optionally "
                + "successive halving), judged on examples held out from the training data. Writes OUT/trials/, "
                + "OUT/leaderboard.csv and .json, OUT/best-config.yaml and OUT/sweep.png; a rerun skips the "
                + "trials already done.")
public final class SweepCommand implements Callable<Integer>, ModuleCommand {

    @Option(names = "--spec", required = true, paramLabel = "FILE",
            description = "The sweep spec (YAML or JSON): base, parameters, method, trials, seed, "
                    + "validation-fraction, halving. See configs/sweep-mlp.yaml.")
    Path specFile;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "The data, as for train (any Hadoop path: IDX, Parquet, image folders).")
    String data;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "Output directory (any Hadoop path).")
    String out;

    @Option(names = "--master", description = "local[N] | local[*] | spark://HOST:PORT | yarn | k8s://URL. Default "
            + Defaults.MASTER + ".")
    String master;

    @Option(names = "--trial-mode", description = "task (each trial one Spark task training on one core, from data "
            + "broadcast once) | distributed (each trial a data-parallel training on every executor) | auto "
            + "(task up to " + Sweep.TASK_MODE_MAX_PARAMETERS + " parameters). Default auto.")
    String trialMode;

    @Option(names = "--parallel", description = "Trials at once. Default: task mode the default parallelism; "
            + "distributed mode 1 (more run side by side in FAIR scheduler pools).")
    Integer parallel;

    @Option(names = "--partitions", description = "Data shards in distributed mode. Default: the default parallelism.")
    Integer partitions;

    @Option(names = "--method", description = "grid | random, over the spec's.")
    String method;

    @Option(names = "--trials", description = "Random search trials, over the spec's.")
    Integer trials;

    @Option(names = "--seed", description = "The random search's seed, over the spec's.")
    Long seed;

    @Option(names = "--limit", description = "Use the first N training examples only (quick sweeps).")
    Integer limit;

    @Option(names = "--overwrite", description = "Replace a sweep of another spec in --out.")
    boolean overwrite;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SweepSpec sweep;
        try {
            sweep = SweepSpec.read(specFile);
            if (method != null) {
                String m = method.trim().toLowerCase(Locale.ROOT);
                if (!m.equals(SweepSpec.GRID) && !m.equals(SweepSpec.RANDOM)) {
                    throw new UsageException("method: unknown value \"" + method + "\" (expected grid or random)");
                }
                sweep = new SweepSpec(sweep.source(), sweep.base(), sweep.parameters(), m, sweep.trials(),
                        sweep.seed(), sweep.validationFraction(), sweep.halving());
            }
            if (seed != null) {
                sweep = sweep.withSeed(seed);
            }
            sweep = sweep.withTrials(trials != null ? trials : sweep.trials());
        } catch (UsageException e) {
            throw e;
        } catch (KindlingException e) {
            throw new UsageException(e.getMessage());
        }
        String mode = trialMode == null ? Sweep.AUTO : trialMode.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals(Sweep.AUTO) && !mode.equals(Sweep.TASK) && !mode.equals(Sweep.DISTRIBUTED)) {
            throw new UsageException("trial-mode: unknown value \"" + trialMode + "\" (expected task, distributed or auto)");
        }
        if (parallel != null && parallel < 1) {
            throw new UsageException("parallel: " + parallel + " must be >= 1");
        }
        if (partitions != null && partitions < 1) {
            throw new UsageException("partitions: " + partitions + " must be > 0");
        }
        if (limit != null && limit < 2) {
            throw new UsageException("limit: " + limit + " must be >= 2 (training and validation examples)");
        }
        return new Sweep(sweep, data, out, SparkSettings.forCommand(master, "sweep"), mode, parallel,
                partitions, limit, overwrite,
                spec.commandLine().getOut()).run();
    }
}
