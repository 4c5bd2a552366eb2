package dev.kindling.experiment;

import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.Optimizers;
import dev.kindling.optim.Sgd;
import dev.kindling.report.Charts;
import dev.kindling.report.Words;
import dev.kindling.report.Tables;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.History;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.TrainListener;
import dev.kindling.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code experiment overfit}: a seven-layer ReLU network trained on only 300 examples learns
 * them by heart, and its test accuracy falls far behind; weight decay (λ = 0.1) and, in a
 * separate run, dropout (rate 0.2) narrow the gap between training and test accuracy. The
 * textbook's settings: SGD lr 0.01, batch 100, He initial weights. All three runs start from the
 * same seed and train for the same number of epochs, so the gaps are compared like for like.
 */
public final class OverfitExperiment {
    public static final String NAME = "overfit";
    /** Six hidden layers of 100 ReLU units: far more capacity than 300 examples need. */
    public static final String ARCH = "784-100-100-100-100-100-100-10";
    public static final double LEARNING_RATE = 0.01;
    public static final double WEIGHT_DECAY = 0.1;
    public static final double DROPOUT = 0.2;
    public static final String PLAIN = "plain";
    public static final String WITH_WEIGHT_DECAY = "weight-decay";
    public static final String WITH_DROPOUT = "dropout";
    /** Final accuracies are the mean over this many last epochs, as single epochs are noisy. */
    public static final int TAIL_EPOCHS = 10;

    /**
     * @param epochs    epochs per run (default 200)
     * @param limit     train on the first this many training examples (default 300)
     * @param testLimit evaluate on the first this many test examples (default all 10,000)
     * @param batch     mini-batch size (default 100)
     * @param every     print a progress line every this many epochs (default 20)
     */
    public record Config(Integer epochs, Integer limit, Integer testLimit, Integer batch, Integer every) {
        public static final int DEFAULT_EPOCHS = 200;
        public static final int DEFAULT_LIMIT = 300;
        public static final int DEFAULT_BATCH = 100;
        public static final int DEFAULT_EVERY = 20;

        public Config {
            epochs = Checks.positive("epochs", epochs, DEFAULT_EPOCHS);
            limit = Checks.positive("limit", limit, DEFAULT_LIMIT);
            testLimit = Checks.positive("test-limit", testLimit, Integer.MAX_VALUE);
            batch = Checks.positive("batch", batch, DEFAULT_BATCH);
            every = Checks.positive("every", every, DEFAULT_EVERY);
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null);
        }
    }

    /** One run's accuracy per epoch (index 0 is epoch 1). */
    public record Run(String name, double weightDecay, double dropout, double[] trainAccuracy,
                      double[] testAccuracy) {

        /** Mean training accuracy over the last {@link #TAIL_EPOCHS} epochs. */
        public double finalTrainAccuracy() {
            return Curves.tailMean(trainAccuracy, TAIL_EPOCHS);
        }

        /** Mean test accuracy over the last {@link #TAIL_EPOCHS} epochs. */
        public double finalTestAccuracy() {
            return Curves.tailMean(testAccuracy, TAIL_EPOCHS);
        }

        /** How far training accuracy is ahead of test accuracy at the end. */
        public double gap() {
            return finalTrainAccuracy() - finalTestAccuracy();
        }
    }

    public record Result(List<Run> runs, int trainExamples, int testExamples, ExperimentFiles files) {

        public Run run(String name) {
            return runs.stream().filter(r -> r.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no run named " + name));
        }
    }

    private OverfitExperiment() {
    }

    public static Result run(Config config, ExperimentContext ctx) {
        long started = System.nanoTime();
        IdxDirectory dir = ctx.dataDirectory();
        Dataset allTrain = dir.loadTrain();
        Dataset allTest = dir.loadTest();
        Dataset train = allTrain.subset(0, Math.min(config.limit(), allTrain.size()));
        Dataset test = allTest.subset(0, Math.min(config.testLimit(), allTest.size()));
        ctx.progress("%s: %s on %,d training examples, tested on %,d test examples, %s, %s backend, seed %d",
                NAME, ARCH, train.size(), test.size(), Words.count(config.epochs(), "epoch"), ctx.resolvedBackend(),
                ctx.seed());

        List<Run> runs = new ArrayList<>();
        runs.add(train(PLAIN, 0, 0, train, test, config, ctx));
        runs.add(train(WITH_WEIGHT_DECAY, WEIGHT_DECAY, 0, train, test, config, ctx));
        runs.add(train(WITH_DROPOUT, 0, DROPOUT, train, test, config, ctx));

        ExperimentFiles files = write(runs, train.size(), test.size(), config, ctx,
                (System.nanoTime() - started) / 1e9);
        ctx.progress("%s: accuracy, mean of the last %d epochs:", NAME, Math.min(TAIL_EPOCHS, config.epochs()));
        for (Run r : runs) {
            ctx.progress("  %-12s train %.4f  test %.4f  gap %.4f", r.name(), r.finalTrainAccuracy(),
                    r.finalTestAccuracy(), r.gap());
        }
        ctx.progress("%s: wrote %s, %s, %s", NAME, files.csv(), files.json(), files.png());
        return new Result(List.copyOf(runs), train.size(), test.size(), files);
    }

    private static Run train(String name, double weightDecay, double dropout, Dataset train, Dataset test,
                             Config config, ExperimentContext ctx) {
        long start = System.nanoTime();
        Network net = Network.build(NetworkSpec.mlp(ARCH, "he", dropout), ctx.newBackend());
        net.initialize(ctx.seed());
        TrainConfig tc = new TrainConfig(config.batch(), config.epochs(), ctx.seed(), LEARNING_RATE, "constant",
                weightDecay, 0, 0, train.size());
        History history = new Trainer(net, Optimizers.create(Sgd.NAME, net.weightRanges()), tc)
                .fit(train, test, new TrainListener() {
                    @Override
                    public void onEpoch(EpochMetrics m) {
                        if (m.epoch() % config.every() == 0 || m.epoch() == config.epochs()) {
                            ctx.progress("%s: %-12s epoch %4d/%d  train acc %.4f  test acc %.4f  train loss %.4f",
                                    NAME, name, m.epoch(), config.epochs(), m.trainAccuracy(), m.testAccuracy(),
                                    m.trainLoss());
                        }
                    }
                });
        double[] trainAcc = history.epochs().stream().mapToDouble(EpochMetrics::trainAccuracy).toArray();
        double[] testAcc = history.epochs().stream().mapToDouble(EpochMetrics::testAccuracy).toArray();
        ctx.progress("%s: %-12s done in %.1fs", NAME, name, (System.nanoTime() - start) / 1e9);
        return new Run(name, weightDecay, dropout, trainAcc, testAcc);
    }

    private static ExperimentFiles write(List<Run> runs, int trainExamples, int testExamples, Config config,
                                         ExperimentContext ctx, double seconds) {
        Path out = ctx.out();
        ExperimentFiles files = new ExperimentFiles(out.resolve("accuracy.csv"), out.resolve("summary.json"),
                out.resolve("accuracy.png"));
        List<String> header = new ArrayList<>();
        header.add("epoch");
        for (Run r : runs) {
            header.add(r.name() + "_train");
            header.add(r.name() + "_test");
        }
        int epochs = runs.get(0).trainAccuracy().length;
        List<List<Object>> rows = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            List<Object> row = new ArrayList<>();
            row.add(e + 1);
            for (Run r : runs) {
                row.add(r.trainAccuracy()[e]);
                row.add(r.testAccuracy()[e]);
            }
            rows.add(row);
        }
        Tables.csv(files.csv(), header, rows);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", NAME);
        summary.put("seed", ctx.seed());
        summary.put("backend", ctx.resolvedBackend());
        summary.put("arch", ARCH);
        summary.put("optimizer", Sgd.NAME);
        summary.put("learning_rate", LEARNING_RATE);
        summary.put("batch", config.batch());
        summary.put("epochs", epochs);
        summary.put("training_examples", trainExamples);
        summary.put("test_examples", testExamples);
        summary.put("final_is_mean_of_last_epochs", Math.min(TAIL_EPOCHS, epochs));
        List<Map<String, Object>> list = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("weight_decay", r.weightDecay());
            m.put("dropout", r.dropout());
            m.put("train_accuracy", r.finalTrainAccuracy());
            m.put("test_accuracy", r.finalTestAccuracy());
            m.put("gap", r.gap());
            list.add(m);
        }
        summary.put("runs", list);
        summary.put("elapsed_seconds", seconds);
        Tables.json(files.json(), summary);

        Map<String, double[][]> series = new LinkedHashMap<>();
        for (Run r : runs) {
            series.put(r.name() + " train", Curves.points(r.trainAccuracy()));
            series.put(r.name() + " test", Curves.points(r.testAccuracy()));
        }
        Tables.png(files.png(), () -> Charts.linePairs(files.png(),
                "Overfitting: " + trainExamples + " training examples, " + ARCH + " (dashed: test)", "epoch",
                "accuracy",
                series, 1.0));
        return files;
    }
}
