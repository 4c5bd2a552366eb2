package dev.kindling.nn;

import java.util.random.RandomGenerator;

/**
 * One step of the network, textbook style: {@code forward} caches what {@code backward} needs.
 * A layer never owns its parameters: {@link #bind} hands it views (offsets) into the network's
 * flat parameter, gradient and state vectors. Activations live in buffers the layer owns and
 * reuses, grown only when a larger batch arrives, so the training loop does not allocate.
 *
 * <p>Arrays are row-major with the batch as the leading dimension: example {@code n} occupies
 * {@code [n * size, (n + 1) * size)} where size is the input or output shape's size.
 */
public interface Layer {

    Shape inputShape();

    Shape outputShape();

    /** Trainable floats this layer reads from the flat parameter vector. */
    default int parameterCount() {
        return 0;
    }

    /** Non-trainable floats that are still model state (BatchNorm running statistics). */
    default int stateCount() {
        return 0;
    }

    /** Gives the layer its slices of the flat vectors; called once when the network is built. */
    default void bind(float[] params, float[] grads, int offset, float[] state, int stateOffset) {
    }

    /** Writes initial values into this layer's parameter and state slices. */
    default void initialize(RandomGenerator rng) {
    }

    /**
     * Appends (offset, length) pairs of the weight ranges that L2 decay applies to — weights,
     * not biases or normalisation parameters.
     */
    default void weightRanges(java.util.List<int[]> out) {
    }

    /**
     * @param rng source of noise for dropout in training; unused otherwise
     * @return the output, in a buffer owned by this layer and valid until the next forward
     */
    float[] forward(float[] x, int batch, boolean training, RandomGenerator rng);

    /**
     * Writes this layer's parameter gradients (overwriting, not accumulating) and returns the
     * gradient with respect to its input, in a buffer owned by this layer.
     *
     * @param needInputGradient false for the first layer, whose input gradient nobody reads
     */
    float[] backward(float[] dout, int batch, boolean needInputGradient);
}
