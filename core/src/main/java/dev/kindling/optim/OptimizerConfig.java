package dev.kindling.optim;

import dev.kindling.KindlingException;

import java.util.List;

/**
 * An optimizer as a config file names it: the name plus any hyperparameters to override, null
 * meaning the optimizer's default. Validated when built, with the optimizers' own messages, so
 * a bad file fails when it is read rather than when training starts; a field the named
 * optimizer does not read is an error too, since it is almost always a mistake about which
 * optimizer is in use.
 *
 * @param decay       RMSprop's moving-average decay rho
 * @param weightDecay AdamW's decoupled weight decay (L2 decay for the other optimizers is
 *                    {@link WeightDecay}, configured apart from the optimizer)
 */
public record OptimizerConfig(String name, Float momentum, Float beta1, Float beta2, Float epsilon,
                              Float decay, Float weightDecay) {

    public OptimizerConfig {
        name = Optimizers.checkName(name);
        List<String> fields = Optimizers.fields(name);
        requireUsed(name, fields, "momentum", momentum);
        requireUsed(name, fields, "beta1", beta1);
        requireUsed(name, fields, "beta2", beta2);
        requireUsed(name, fields, "epsilon", epsilon);
        requireUsed(name, fields, "decay", decay);
        requireUsed(name, fields, "weightDecay", weightDecay);
        // Building one is the single definition of what is valid; it is discarded.
        Optimizers.build(name, momentum, beta1, beta2, epsilon, decay, weightDecay, new int[0]);
    }

    /** The named optimizer with all its defaults. */
    public static OptimizerConfig of(String name) {
        return new OptimizerConfig(name, null, null, null, null, null, null);
    }

    private static void requireUsed(String name, List<String> fields, String field, Float value) {
        if (value != null && !fields.contains(field)) {
            throw new KindlingException("optimizer." + field + ": " + value + " is not used by \""
                    + name + "\" (it takes " + (fields.isEmpty() ? "none" : String.join(", ", fields))
                    + ")");
        }
    }
}
