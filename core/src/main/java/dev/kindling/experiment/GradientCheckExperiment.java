package dev.kindling.experiment;

import dev.kindling.data.Dataset;
import dev.kindling.nn.GradientCheck.TensorError;
import dev.kindling.nn.GradientCheck;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import dev.kindling.nn.SoftmaxCrossEntropy;
import dev.kindling.report.Charts;
import dev.kindling.report.Tables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jfree.chart.JFreeChart;

/**
 * {@code experiment gradcheck}: backpropagation against central differences on a few real
 * Fashion-MNIST images, for a small MLP and a small CNN with every kind of layer (convolution,
 * batch normalisation, ReLU, max pooling, dropout, affine), reported per parameter tensor. As in
 * the textbook, a correct backward pass differs from the numerical gradient only by round-off.
 *
 * <p>ReLU and max pooling have kinks; where a nudge of one parameter carries some unit across
 * one, that parameter's numerical estimate is off by up to ~0.1, which shows as one tensor with
 * a large maximum absolute error but a modest relative error. Which parameters hit a kink
 * depends on the seed and the examples.
 */
public final class GradientCheckExperiment {
    public static final String NAME = "gradcheck";
    /**
     * A tensor passes below this relative error. Float32 round-off gives 1e-4..1e-3; a wrong
     * gradient gives errors near 1.
     */
    public static final double THRESHOLD = 1e-2;
    public static final String MLP = "mlp";
    /** Standard deviation of the noise added to biases and γ/β before checking. */
    static final double NUDGE = 0.1;
    public static final String CNN = "cnn";

    /** A network to check and the step of its central differences. */
    private record Subject(String name, NetworkSpec spec, double eps) {
    }

    /**
     * The textbook's two-layer net, and a CNN small enough that its ~6,000 parameters can each
     * be nudged twice in a few seconds. BatchNorm follows the ReLU rather than the convolution:
     * right after a convolution it would cancel the convolution's bias exactly, leaving nothing
     * but round-off to compare for that tensor. The step 1e-3 is small enough that a nudge
     * seldom carries a ReLU or pooling input across its kink (where the loss has no
     * derivative), and large enough that float32 round-off stays near 1e-4.
     */
    private static final List<Subject> SUBJECTS = List.of(
            new Subject(MLP, new NetworkSpec(Shape.vector(784), List.of(
                    new LayerSpec.Dense(50, "he"), new LayerSpec.Relu(), new LayerSpec.Dense(10, "he")),
                    SoftmaxCrossEntropy.NAME), 1e-3),
            new Subject(CNN, new NetworkSpec(new Shape(1, 28, 28), List.of(
                    new LayerSpec.Conv(4, 5, 1, 0, "he"), new LayerSpec.Relu(), new LayerSpec.BatchNorm(null, null),
                    new LayerSpec.MaxPool(2, null), new LayerSpec.Dropout(0.2), new LayerSpec.Flatten(),
                    new LayerSpec.Dense(10, "he")), SoftmaxCrossEntropy.NAME), 1e-3));

    /** @param limit check on the first this many training examples (default 3) */
    public record Config(Integer limit) {
        public static final int DEFAULT_LIMIT = 3;

        public Config {
            limit = Checks.positive("limit", limit, DEFAULT_LIMIT);
        }

        public static Config defaults() {
            return new Config(null);
        }
    }

    /** One row of the table: a parameter tensor of one network. */
    public record Row(String network, TensorError error, double eps) {
    }

    public record Result(List<Row> rows, int examples, ExperimentFiles files) {

        public double maxRelativeError() {
            return rows.stream().mapToDouble(r -> r.error().relativeError()).max().orElse(Double.NaN);
        }

        public boolean passed() {
            return maxRelativeError() < THRESHOLD;
        }
    }

    private GradientCheckExperiment() {
    }

    public static Result run(Config config, ExperimentContext ctx) {
        long started = System.nanoTime();
        Dataset all = ctx.dataDirectory().loadTrain();
        Dataset examples = all.subset(0, Math.min(config.limit(), all.size()));
        int batch = examples.size();
        float[] x = new float[batch * examples.featureCount()];
        float[] t = new float[batch * examples.classes()];
        examples.fillBatch(0, batch, x, t, null);
        ctx.progress("%s: %d training examples, %s backend, seed %d", NAME, batch, ctx.resolvedBackend(), ctx.seed());

        List<Row> rows = new ArrayList<>();
        for (Subject s : SUBJECTS) {
            long start = System.nanoTime();
            Network net = Network.build(s.spec(), ctx.newBackend());
            net.initialize(ctx.seed());
            nudgeNonWeights(net, ctx.seed());
            for (TensorError e : GradientCheck.check(net, x, t, batch, s.eps())) {
                rows.add(new Row(s.name(), e, s.eps()));
            }
            ctx.progress("%s: %s, %,d parameters, checked in %.1fs", NAME, s.name(), net.parameters().length,
                    (System.nanoTime() - start) / 1e9);
        }
        Result result = new Result(List.copyOf(rows), batch, write(rows, batch, ctx, (System.nanoTime() - started) / 1e9));

        ctx.progress("%-8s %-22s %10s %14s %14s", "network", "tensor", "parameters", "relative error", "max abs error");
        for (Row r : rows) {
            ctx.progress("%-8s %-22s %10d %14.3e %14.3e", r.network(), r.error().tensor(), r.error().length(),
                    r.error().relativeError(), r.error().maxAbsoluteError());
        }
        ctx.progress("%s: largest relative error %.3e, %s the threshold %.0e", NAME, result.maxRelativeError(),
                result.passed() ? "below" : "NOT below", THRESHOLD);
        ExperimentFiles files = result.files();
        ctx.progress("%s: wrote %s, %s, %s", NAME, files.csv(), files.json(), files.png());
        return result;
    }

    /**
     * Moves biases and BatchNorm's γ/β off their initial 0 and 1. With zero biases every
     * all-black image patch puts its unit exactly on ReLU's kink, where the loss has no
     * derivative and central differences measure the kink rather than the gradient.
     */
    private static void nudgeNonWeights(Network net, long seed) {
        float[] p = net.parameters();
        boolean[] weight = new boolean[p.length];
        int[] ranges = net.weightRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            Arrays.fill(weight, ranges[r], ranges[r] + ranges[r + 1], true);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < p.length; i++) {
            if (!weight[i]) {
                p[i] += (float) (NUDGE * rng.nextGaussian());
            }
        }
    }

    private static ExperimentFiles write(List<Row> rows, int examples, ExperimentContext ctx, double seconds) {
        Path out = ctx.out();
        ExperimentFiles files = new ExperimentFiles(out.resolve("gradcheck.csv"), out.resolve("summary.json"),
                out.resolve("gradcheck.png"));
        List<List<Object>> table = new ArrayList<>();
        List<Map<String, Object>> list = new ArrayList<>();
        double max = 0;
        for (Row r : rows) {
            TensorError e = r.error();
            double log10 = Math.log10(Math.max(e.relativeError(), Double.MIN_NORMAL));
            table.add(List.of(r.network(), e.tensor(), e.length(), e.relativeError(), log10,
                    e.maxAbsoluteError(), r.eps()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("network", r.network());
            m.put("tensor", e.tensor());
            m.put("parameters", e.length());
            m.put("relative_error", e.relativeError());
            m.put("max_absolute_error", e.maxAbsoluteError());
            m.put("eps", r.eps());
            list.add(m);
            max = Math.max(max, e.relativeError());
        }
        Tables.csv(files.csv(), List.of("network", "tensor", "parameters", "relative_error", "log10_relative_error",
                "max_absolute_error", "eps"), table);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", NAME);
        summary.put("seed", ctx.seed());
        summary.put("backend", ctx.resolvedBackend());
        summary.put("examples", examples);
        summary.put("threshold", THRESHOLD);
        summary.put("max_relative_error", max);
        summary.put("passed", max < THRESHOLD);
        summary.put("tensors", list);
        summary.put("elapsed_seconds", seconds);
        Tables.json(files.json(), summary);

        Tables.png(files.png(), () -> Charts.save(files.png(), chart(rows, examples)));
        return files;
    }

    /** The chart of gradcheck.png: a bar per tensor, grouped by network, below the threshold line to pass. */
    static JFreeChart chart(List<Row> rows, int examples) {
        Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
        for (Row r : rows) {
            TensorError e = r.error();
            bars.computeIfAbsent(r.network(), k -> new LinkedHashMap<>()).put(r.network() + " " + e.tensor(),
                    e.relativeError());
        }
        return Charts.logBarChart("Gradient check on " + examples + " Fashion-MNIST examples (lower is better)",
                "relative error (log scale)", bars, Map.of("pass threshold " + THRESHOLD, THRESHOLD));
    }
}
