package dev.kindling.optim;

import dev.kindling.KindlingException;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds optimizers by the names used on the command line and in model files. Each
 * optimizer's default hyperparameters live in its own class; the default learning rates, which
 * are the trainer's to pass in, live here.
 */
public final class Optimizers {
    /** Every name {@link #create} accepts, in the order help texts list them. */
    public static final List<String> NAMES = List.of(Sgd.NAME, Momentum.NAME, Nesterov.NAME,
            AdaGrad.NAME, RmsProp.NAME, Adam.NAME, AdamW.NAME);

    // The textbook's rates for its optimizers; AdamW takes PyTorch's, which matches Adam's.
    private static final Map<String, Float> DEFAULT_LEARNING_RATES = Map.of(
            Sgd.NAME, 0.01f,
            Momentum.NAME, 0.01f,
            Nesterov.NAME, 0.01f,
            AdaGrad.NAME, 0.01f,
            RmsProp.NAME, 0.01f,
            Adam.NAME, 0.001f,
            AdamW.NAME, 0.001f);

    // The optional config fields each optimizer reads, in the names OptimizerConfig uses.
    private static final Map<String, List<String>> FIELDS = Map.of(
            Sgd.NAME, List.of(),
            Momentum.NAME, List.of("momentum"),
            Nesterov.NAME, List.of("momentum"),
            AdaGrad.NAME, List.of("epsilon"),
            RmsProp.NAME, List.of("decay", "epsilon"),
            Adam.NAME, List.of("beta1", "beta2", "epsilon"),
            AdamW.NAME, List.of("beta1", "beta2", "epsilon", "weightDecay"));

    private Optimizers() {
    }

    /**
     * The named optimizer with its default hyperparameters.
     *
     * @param weightRanges the weights' (offset, length) pairs, as for {@link WeightDecay}; only
     *                     AdamW uses them, but every caller has them, so every caller passes them
     */
    public static Optimizer create(String name, int[] weightRanges) {
        return create(OptimizerConfig.of(name), weightRanges);
    }

    /** The configured optimizer; fields left null take the optimizer's defaults. */
    public static Optimizer create(OptimizerConfig config, int[] weightRanges) {
        return build(config.name(), config.momentum(), config.beta1(), config.beta2(),
                config.epsilon(), config.decay(), config.weightDecay(), weightRanges);
    }

    /** The rate a run uses when none is given: the textbook's for its optimizers. */
    public static float defaultLearningRate(String name) {
        return DEFAULT_LEARNING_RATES.get(checkName(name));
    }

    /** The name in canonical form (trimmed, lower case), or the error listing the known ones. */
    static String checkName(String name) {
        if (name == null) {
            throw new KindlingException("optimizer: missing value (expected one of "
                    + String.join(", ", NAMES) + ")");
        }
        String canonical = name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(canonical)) {
            throw new KindlingException("optimizer: unknown value \"" + name + "\" (expected one of "
                    + String.join(", ", NAMES) + ")");
        }
        return canonical;
    }

    /** The optional fields {@code name} reads; {@code name} must be canonical. */
    static List<String> fields(String name) {
        return FIELDS.get(name);
    }

    /** {@code name} must be canonical; each null takes the optimizer's own default. */
    static Optimizer build(String name, Float momentum, Float beta1, Float beta2, Float epsilon,
                           Float decay, Float weightDecay, int[] weightRanges) {
        switch (name) {
            case Sgd.NAME:
                return new Sgd();
            case Momentum.NAME:
                return new Momentum(or(momentum, Momentum.DEFAULT_MOMENTUM));
            case Nesterov.NAME:
                return new Nesterov(or(momentum, Nesterov.DEFAULT_MOMENTUM));
            case AdaGrad.NAME:
                return new AdaGrad(or(epsilon, AdaGrad.DEFAULT_EPSILON));
            case RmsProp.NAME:
                return new RmsProp(or(decay, RmsProp.DEFAULT_DECAY),
                        or(epsilon, RmsProp.DEFAULT_EPSILON));
            case Adam.NAME:
                return new Adam(or(beta1, Adam.DEFAULT_BETA1), or(beta2, Adam.DEFAULT_BETA2),
                        or(epsilon, Adam.DEFAULT_EPSILON));
            case AdamW.NAME:
                return new AdamW(or(beta1, Adam.DEFAULT_BETA1), or(beta2, Adam.DEFAULT_BETA2),
                        or(epsilon, Adam.DEFAULT_EPSILON),
                        or(weightDecay, AdamW.DEFAULT_WEIGHT_DECAY), weightRanges);
            default:
                throw new IllegalStateException("no optimizer for canonical name " + name);
        }
    }

    private static float or(Float value, float fallback) {
        return value != null ? value : fallback;
    }
}
