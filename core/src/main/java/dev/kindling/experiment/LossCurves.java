package dev.kindling.experiment;

import dev.kindling.data.Dataset;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.report.Charts;
import dev.kindling.report.Tables;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.TrainListener;
import dev.kindling.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains variants of one network for a fixed number of iterations and records the mini-batch
 * loss of every iteration: the textbook's comparison of optimizers and of initial weights. Every
 * variant starts from the same seed, so it sees the same batches in the same order and, where the
 * initializer is the same, the same initial weights; only the thing being compared differs.
 */
public final class LossCurves {
    /** The final loss of a variant is the mean over this many last iterations, as one batch is noisy. */
    public static final int TAIL = 100;
    /** Width of the moving average drawn in the chart (the CSV holds the raw losses). */
    static final int SMOOTHING = 21;
    /** Training accuracy is not needed here; the trainer's per-epoch look at it is kept small. */
    private static final int TRAIN_EVAL_SAMPLES = 1000;

    /** One contender: an architecture (with its initializer) and the optimizer that trains it. */
    record Variant(String name, NetworkSpec spec, OptimizerConfig optimizer, double learningRate) {
    }

    /**
     * @param losses      each variant's loss per iteration, in the order the variants ran
     * @param finalLosses each variant's mean loss over the last {@link #TAIL} iterations
     */
    public record Result(String experiment, int iterations, Map<String, double[]> losses,
                         Map<String, Double> finalLosses, ExperimentFiles files) {

        /** The variant with the lowest final loss. */
        public String lowest() {
            return Collections.min(finalLosses.entrySet(), Map.Entry.comparingByValue()).getKey();
        }

        /** The variant with the highest final loss. */
        public String highest() {
            return Collections.max(finalLosses.entrySet(), Map.Entry.comparingByValue()).getKey();
        }
    }

    private LossCurves() {
    }

    static Result run(String experiment, String title, List<Variant> variants, Dataset train,
                      int iterations, int batch, int every, ExperimentContext ctx) {
        long started = System.nanoTime();
        int n = train.size();
        int stepsPerEpoch = (n + Math.min(batch, n) - 1) / Math.min(batch, n);
        int epochs = (iterations + stepsPerEpoch - 1) / stepsPerEpoch;
        ctx.progress("%s: %d iterations of batch %d on %,d training examples, %s backend, seed %d",
                experiment, iterations, batch, n, ctx.resolvedBackend(), ctx.seed());

        Map<String, double[]> losses = new LinkedHashMap<>();
        Map<String, Double> finals = new LinkedHashMap<>();
        for (Variant v : variants) {
            long start = System.nanoTime();
            Network net = Network.build(v.spec(), ctx.newBackend());
            net.initialize(ctx.seed());
            Optimizer optimizer = Optimizers.create(v.optimizer(), net.weightRanges());
            TrainConfig config = new TrainConfig(batch, epochs, ctx.seed(), v.learningRate(), "constant",
                    0, 0, iterations, Math.min(n, TRAIN_EVAL_SAMPLES));
            double[] curve = new double[iterations];
            new Trainer(net, optimizer, config).fit(train, null, new TrainListener() {
                @Override
                public void onStep(long step, double batchLoss) {
                    int i = (int) step - 1;
                    curve[i] = batchLoss;
                    if (step % every == 0 || step == iterations) {
                        ctx.progress("%s: %-9s iteration %5d/%d  loss %.4f  mean of last %d %.4f",
                                experiment, v.name(), step, iterations, batchLoss,
                                Math.min(TAIL, step), Curves.tailMean(curve, i + 1, TAIL));
                    }
                }
            });
            losses.put(v.name(), curve);
            finals.put(v.name(), Curves.tailMean(curve, TAIL));
            ctx.progress("%s: %-9s done in %.1fs", experiment, v.name(), (System.nanoTime() - start) / 1e9);
        }

        ExperimentFiles files = write(experiment, title, variants, losses, finals, batch, n, ctx,
                (System.nanoTime() - started) / 1e9);
        ctx.progress("%s: mean loss of the last %d iterations:", experiment, Math.min(TAIL, iterations));
        for (Map.Entry<String, Double> e : finals.entrySet()) {
            ctx.progress("  %-9s %.4f", e.getKey(), e.getValue());
        }
        ctx.progress("%s: wrote %s, %s, %s", experiment, files.csv(), files.json(), files.png());
        return new Result(experiment, iterations, Collections.unmodifiableMap(losses),
                Collections.unmodifiableMap(finals), files);
    }

    private static ExperimentFiles write(String experiment, String title, List<Variant> variants,
                                         Map<String, double[]> losses, Map<String, Double> finals,
                                         int batch, int examples, ExperimentContext ctx, double seconds) {
        Path out = ctx.out();
        ExperimentFiles files = new ExperimentFiles(out.resolve("loss.csv"), out.resolve("summary.json"),
                out.resolve("loss.png"));
        int iterations = losses.values().iterator().next().length;
        List<String> header = new ArrayList<>();
        header.add("iteration");
        header.addAll(losses.keySet());
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            List<Object> row = new ArrayList<>();
            row.add(i + 1);
            for (double[] curve : losses.values()) {
                row.add(curve[i]);
            }
            rows.add(row);
        }
        Tables.csv(files.csv(), header, rows);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", experiment);
        summary.put("seed", ctx.seed());
        summary.put("backend", ctx.resolvedBackend());
        summary.put("iterations", iterations);
        summary.put("batch", batch);
        summary.put("training_examples", examples);
        summary.put("final_loss_is_mean_of_last", Math.min(TAIL, iterations));
        List<Map<String, Object>> list = new ArrayList<>();
        for (Variant v : variants) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("optimizer", v.optimizer().name());
            m.put("learning_rate", v.learningRate());
            m.put("init", initOf(v.spec()));
            m.put("first_loss", losses.get(v.name())[0]);
            m.put("final_loss", finals.get(v.name()));
            list.add(m);
        }
        summary.put("variants", list);
        summary.put("elapsed_seconds", seconds);
        Tables.json(files.json(), summary);

        Map<String, double[][]> series = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : losses.entrySet()) {
            series.put(e.getKey(), Curves.points(Curves.smooth(e.getValue(), SMOOTHING)));
        }
        Tables.png(files.png(), () -> Charts.lines(files.png(),
                title + " (moving average of " + SMOOTHING + " iterations)", "iteration", "training loss",
                series, null));
        return files;
    }

    /** The initializer of the first dense layer: the same for every layer in these experiments. */
    private static String initOf(NetworkSpec spec) {
        return spec.layers().stream()
                .filter(l -> l instanceof LayerSpec.Dense)
                .map(l -> ((LayerSpec.Dense) l).init())
                .findFirst().orElse("");
    }
}
