package dev.kindling.experiment;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.Optimizers;
import dev.kindling.optim.Sgd;
import dev.kindling.report.Charts;
import dev.kindling.report.Words;
import dev.kindling.report.Tables;
import dev.kindling.search.Distribution;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.History;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code experiment search}: random search over the learning rate, 10^U(−6, −2), and the weight
 * decay, 10^U(−8, −4), for SGD training a seven-layer ReLU network on a small slice of the
 * training data, judged on validation examples held out from that slice. The test set is never
 * read: choosing hyperparameters by test accuracy would make the test score an overestimate.
 * The textbook's result: good trials cluster at the high end of the learning-rate range, and
 * the weight decay matters far less.
 *
 * <p>The seed fixes the slice's split, every trial's hyperparameters and every trial's initial
 * weights and batch order, so the same seed gives the same trials.
 */
public final class HyperparameterSearch {
    public static final String NAME = "search";
    /** The textbook's network for this search: six hidden layers of 100 ReLU units. */
    public static final String ARCH = OverfitExperiment.ARCH;
    public static final double VALIDATION_FRACTION = 0.2;
    public static final double LOG10_LR_MIN = -6;
    public static final double LOG10_LR_MAX = -2;
    public static final double LOG10_WEIGHT_DECAY_MIN = -8;
    public static final double LOG10_WEIGHT_DECAY_MAX = -4;
    static final Distribution.LogUniform LR_RANGE = new Distribution.LogUniform(LOG10_LR_MIN, LOG10_LR_MAX);
    static final Distribution.LogUniform WEIGHT_DECAY_RANGE =
            new Distribution.LogUniform(LOG10_WEIGHT_DECAY_MIN, LOG10_WEIGHT_DECAY_MAX);
    /** How many of the best trials the chart picks out. */
    static final int HIGHLIGHT = 5;

    /**
     * @param trials trials drawn (default 100, as in the textbook)
     * @param epochs epochs each trial trains for (default 50)
     * @param limit  the first this many training examples form the slice, of which
     *               {@link #VALIDATION_FRACTION} is held out for validation (default 500)
     * @param batch  mini-batch size (default 100)
     */
    public record Config(Integer trials, Integer epochs, Integer limit, Integer batch) {
        public static final int DEFAULT_TRIALS = 100;
        public static final int DEFAULT_EPOCHS = 50;
        public static final int DEFAULT_LIMIT = 500;
        public static final int DEFAULT_BATCH = 100;

        public Config {
            trials = Checks.positive("trials", trials, DEFAULT_TRIALS);
            epochs = Checks.positive("epochs", epochs, DEFAULT_EPOCHS);
            limit = Checks.positive("limit", limit, DEFAULT_LIMIT);
            if (limit < 5) {
                throw new KindlingException("limit: " + limit
                        + " must be >= 5, so that both training and validation examples remain");
            }
            batch = Checks.positive("batch", batch, DEFAULT_BATCH);
        }

        public static Config defaults() {
            return new Config(null, null, null, null);
        }
    }

    /**
     * One trial: its hyperparameters and its accuracies after the last epoch.
     *
     * @param trial              the order in which the trial was drawn, from 1
     * @param validationAccuracy per epoch, index 0 is epoch 1
     */
    public record Trial(int trial, double learningRate, double weightDecay, double finalValidationAccuracy,
                        double finalTrainAccuracy, double[] validationAccuracy) {
    }

    /** @param ranked the trials, best validation accuracy first (ties: the earlier trial first) */
    public record Result(List<Trial> ranked, int trainExamples, int validationExamples, ExperimentFiles files) {

        public Trial best() {
            return ranked.get(0);
        }
    }

    private HyperparameterSearch() {
    }

    public static Result run(Config config, ExperimentContext ctx) {
        long started = System.nanoTime();
        Dataset all = ctx.dataDirectory().loadTrain();
        Dataset slice = all.subset(0, Math.min(config.limit(), all.size()));
        int validationSize = Math.max(1, (int) Math.round(slice.size() * VALIDATION_FRACTION));
        Dataset[] parts = slice.split(slice.size() - validationSize, ctx.seed());
        Dataset train = parts[0];
        Dataset validation = parts[1];
        ctx.progress("%s: %s of %s, %s, %,d training and %,d validation examples"
                        + " (both from the training set), %s backend, seed %d",
                NAME, Words.count(config.trials(), "trial"), Words.count(config.epochs(), "epoch"), ARCH, train.size(),
                validation.size(),
                ctx.resolvedBackend(), ctx.seed());

        NetworkSpec spec = NetworkSpec.mlp(ARCH, "he", 0);
        SplittableRandom draws = new SplittableRandom(ctx.seed());
        List<Trial> trials = new ArrayList<>();
        for (int i = 1; i <= config.trials(); i++) {
            // drawn in a fixed order, so trial i has the same values whatever the trial count
            double weightDecay = WEIGHT_DECAY_RANGE.sample(draws);
            double lr = LR_RANGE.sample(draws);
            long trialSeed = draws.nextLong();
            Network net = Network.build(spec, ctx.newBackend());
            net.initialize(trialSeed);
            TrainConfig tc = new TrainConfig(config.batch(), config.epochs(), trialSeed, lr, "constant",
                    weightDecay, 0, 0, train.size());
            History h = new Trainer(net, Optimizers.create(Sgd.NAME, net.weightRanges()), tc)
                    .fit(train, validation, null);
            double[] curve = h.epochs().stream().mapToDouble(EpochMetrics::testAccuracy).toArray();
            Trial t = new Trial(i, lr, weightDecay, h.last().testAccuracy(), h.last().trainAccuracy(), curve);
            trials.add(t);
            ctx.progress("%s: trial %3d/%d  lr %.3e  weight decay %.3e  validation acc %.4f  train acc %.4f  %.0fs",
                    NAME, i, config.trials(), lr, weightDecay, t.finalValidationAccuracy(), t.finalTrainAccuracy(),
                    (System.nanoTime() - started) / 1e9);
        }
        List<Trial> ranked = trials.stream()
                .sorted(Comparator.comparingDouble(Trial::finalValidationAccuracy).reversed()
                        .thenComparingInt(Trial::trial))
                .toList();

        ExperimentFiles files = write(ranked, train.size(), validation.size(), config, ctx,
                (System.nanoTime() - started) / 1e9);
        ctx.progress("%s: best trials by validation accuracy:", NAME);
        for (int r = 0; r < Math.min(HIGHLIGHT, ranked.size()); r++) {
            Trial t = ranked.get(r);
            ctx.progress("  #%d trial %3d  lr %.3e  weight decay %.3e  validation acc %.4f", r + 1, t.trial(),
                    t.learningRate(), t.weightDecay(), t.finalValidationAccuracy());
        }
        ctx.progress("%s: wrote %s, %s, %s", NAME, files.csv(), files.json(), files.png());
        return new Result(ranked, train.size(), validation.size(), files);
    }

    private static ExperimentFiles write(List<Trial> ranked, int trainExamples, int validationExamples,
                                         Config config, ExperimentContext ctx, double seconds) {
        Path out = ctx.out();
        ExperimentFiles files = new ExperimentFiles(out.resolve("trials.csv"), out.resolve("summary.json"),
                out.resolve("search.png"));
        List<List<Object>> rows = new ArrayList<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (int r = 0; r < ranked.size(); r++) {
            Trial t = ranked.get(r);
            rows.add(List.of(r + 1, t.trial(), t.learningRate(), t.weightDecay(), t.finalValidationAccuracy(),
                    t.finalTrainAccuracy()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rank", r + 1);
            m.put("trial", t.trial());
            m.put("learning_rate", t.learningRate());
            m.put("weight_decay", t.weightDecay());
            m.put("validation_accuracy", t.finalValidationAccuracy());
            m.put("train_accuracy", t.finalTrainAccuracy());
            list.add(m);
        }
        Tables.csv(files.csv(), List.of("rank", "trial", "learning_rate", "weight_decay", "validation_accuracy",
                "train_accuracy"), rows);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", NAME);
        summary.put("seed", ctx.seed());
        summary.put("backend", ctx.resolvedBackend());
        summary.put("arch", ARCH);
        summary.put("optimizer", Sgd.NAME);
        summary.put("trials", ranked.size());
        summary.put("epochs", config.epochs());
        summary.put("batch", config.batch());
        summary.put("training_examples", trainExamples);
        summary.put("validation_examples", validationExamples);
        summary.put("validation_source", "held out from the first " + (trainExamples + validationExamples)
                + " training examples; the test set is not used");
        summary.put("log10_learning_rate_range", List.of(LOG10_LR_MIN, LOG10_LR_MAX));
        summary.put("log10_weight_decay_range", List.of(LOG10_WEIGHT_DECAY_MIN, LOG10_WEIGHT_DECAY_MAX));
        summary.put("ranked", list);
        summary.put("elapsed_seconds", seconds);
        Tables.json(files.json(), summary);

        int highlight = Math.min(HIGHLIGHT, ranked.size());
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("best " + highlight, points(ranked.subList(0, highlight)));
        series.put("other trials", points(ranked.subList(highlight, ranked.size())));
        Tables.png(files.png(), () -> Charts.scatter(files.png(),
                "Random search: validation accuracy after " + Words.count(config.epochs(), "epoch") + ", "
                        + Words.count(ranked.size(), "trial"), "log10 learning rate", "validation accuracy", series,
                1.0));
        return files;
    }

    private static double[][] points(List<Trial> trials) {
        return trials.stream().map(t -> new double[] {Math.log10(t.learningRate()), t.finalValidationAccuracy()})
                .toArray(double[][]::new);
    }
}
