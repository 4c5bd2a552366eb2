package dev.kindling.optim;

/**
 * A pure update rule over flat vectors: {@code params} is changed in place from {@code grads}
 * and the optimizer's own {@code state} (also changed in place). The state is a flat array so
 * it can be checkpointed, restored and averaged across workers like the parameters.
 *
 * <p>Implementations hold only validated hyperparameters, never per-run state, so one instance
 * may serve any number of runs.
 */
public interface Optimizer {

    /** Floats of state needed for a parameter vector of {@code n} floats (0 for plain SGD). */
    int stateSize(int n);

    /**
     * Applies one update.
     *
     * @param step         1-based count of updates applied so far, this one included (Adam's
     *                     bias correction uses it)
     * @param learningRate the rate for this step (the schedule's value; > 0)
     */
    void update(float[] params, float[] grads, float[] state, long step, float learningRate);

    /** The name used on the command line and in model files: "sgd", "adam", ... */
    String name();
}
