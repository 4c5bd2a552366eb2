package dev.kindling.nn;

/**
 * The output layer fused with its loss, as the textbook pairs them (softmax with
 * cross-entropy, identity with squared error), so backward is the simple y − t.
 * Losses are returned as sums over the batch so that distributed workers can add them up;
 * the caller divides by the number of examples.
 */
public interface Loss {

    /**
     * @param z      the last layer's output, batch × classes
     * @param target batch × classes (one-hot for classification), or null for the outputs alone
     * @return the loss summed over the batch; NaN where {@code target} is null
     */
    double forward(float[] z, float[] target, int batch);

    /** The network's prediction from the last forward: probabilities or identity outputs. */
    float[] output();

    /** Gradient of (summed loss × scale) with respect to z; scale is 1/divisor of the mean. */
    float[] backward(int batch, float scale);

    /** The name used in model files: "softmax-cross-entropy" or "identity-mse". */
    String name();
}
