package dev.kindling.experiment;

import dev.kindling.data.Dataset;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Sgd;
import java.util.List;

/**
 * {@code experiment init}: the same five-layer ReLU network trained by SGD (lr 0.01) from three
 * kinds of initial weights: Gaussian with std 0.01, Xavier (std √(1/n)) and He (std √(2/n)).
 * The textbook's result: with std 0.01 the signal fades layer by layer and nothing is learned
 * (the loss stays at ln 10 ≈ 2.30); Xavier and He learn, He fastest with ReLU.
 */
public final class InitComparison {
    public static final String NAME = "init";
    public static final String ARCH = OptimizerComparison.ARCH;
    public static final double LEARNING_RATE = 0.01;
    /** The variants' names, as the textbook's legend labels them. */
    public static final String GAUSSIAN = "std=0.01";
    public static final String XAVIER = "xavier";
    public static final String HE = "he";

    /** A legend name and the initializer spec it stands for. */
    private record Init(String name, String spec) {
    }

    private static final List<Init> INITS = List.of(
            new Init(GAUSSIAN, "gaussian:0.01"), new Init(XAVIER, "xavier"), new Init(HE, "he"));

    /**
     * @param iterations optimizer steps per initializer (default 2000)
     * @param batch      mini-batch size (default 128)
     * @param limit      train on the first this many training examples (default all)
     * @param every      print a progress line every this many iterations (default 100)
     */
    public record Config(Integer iterations, Integer batch, Integer limit, Integer every) {
        public Config {
            iterations = Checks.positive("iterations", iterations, OptimizerComparison.Config.DEFAULT_ITERATIONS);
            batch = Checks.positive("batch", batch, OptimizerComparison.Config.DEFAULT_BATCH);
            limit = Checks.positive("limit", limit, Integer.MAX_VALUE);
            every = Checks.positive("every", every, OptimizerComparison.Config.DEFAULT_EVERY);
        }

        public static Config defaults() {
            return new Config(null, null, null, null);
        }
    }

    private InitComparison() {
    }

    public static LossCurves.Result run(Config config, ExperimentContext ctx) {
        Dataset all = ctx.dataDirectory().loadTrain();
        Dataset train = all.size() > config.limit() ? all.subset(0, config.limit()) : all;
        List<LossCurves.Variant> variants = INITS.stream()
                .map(init -> new LossCurves.Variant(init.name(), NetworkSpec.mlp(ARCH, init.spec(), 0),
                        OptimizerConfig.of(Sgd.NAME), LEARNING_RATE))
                .toList();
        return LossCurves.run(NAME, "Initial weights, SGD lr " + LEARNING_RATE + ", " + ARCH, variants, train,
                config.iterations(), config.batch(), config.every(), ctx);
    }
}
