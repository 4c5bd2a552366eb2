package dev.kindling.experiment;

import dev.kindling.data.Dataset;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.Adam;
import dev.kindling.optim.AdaGrad;
import dev.kindling.optim.Momentum;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.optim.Sgd;
import java.util.List;

/**
 * {@code experiment optimizers}: SGD, Momentum, AdaGrad and Adam train the same five-layer ReLU
 * network (He initial weights) on Fashion-MNIST from the same initial weights and batches, each
 * at the textbook's learning rate (0.01; Adam 0.001). The textbook's result: SGD learns slowest.
 */
public final class OptimizerComparison {
    public static final String NAME = "optimizers";
    /** Four hidden layers of 100 ReLU units, as in the textbook's comparison. */
    public static final String ARCH = "784-100-100-100-100-10";
    public static final List<String> OPTIMIZERS = List.of(Sgd.NAME, Momentum.NAME, AdaGrad.NAME, Adam.NAME);

    /**
     * @param iterations optimizer steps per optimizer (default 2000)
     * @param batch      mini-batch size (default 128)
     * @param limit      train on the first this many training examples (default all)
     * @param every      print a progress line every this many iterations (default 100)
     */
    public record Config(Integer iterations, Integer batch, Integer limit, Integer every) {
        public static final int DEFAULT_ITERATIONS = 2000;
        public static final int DEFAULT_BATCH = 128;
        public static final int DEFAULT_EVERY = 100;

        public Config {
            iterations = Checks.positive("iterations", iterations, DEFAULT_ITERATIONS);
            batch = Checks.positive("batch", batch, DEFAULT_BATCH);
            limit = Checks.positive("limit", limit, Integer.MAX_VALUE);
            every = Checks.positive("every", every, DEFAULT_EVERY);
        }

        public static Config defaults() {
            return new Config(null, null, null, null);
        }
    }

    private OptimizerComparison() {
    }

    public static LossCurves.Result run(Config config, ExperimentContext ctx) {
        Dataset all = ctx.dataDirectory().loadTrain();
        Dataset train = all.size() > config.limit() ? all.subset(0, config.limit()) : all;
        NetworkSpec spec = NetworkSpec.mlp(ARCH, "he", 0);
        List<LossCurves.Variant> variants = OPTIMIZERS.stream()
                .map(name -> new LossCurves.Variant(name, spec, OptimizerConfig.of(name),
                        // through the decimal string so 0.001f is 0.001, not 0.0010000000474974513
                        Double.parseDouble(Float.toString(Optimizers.defaultLearningRate(name)))))
                .toList();
        return LossCurves.run(NAME, "Optimizers on Fashion-MNIST, " + ARCH, variants, train,
                config.iterations(), config.batch(), config.every(), ctx);
    }
}
