package dev.kindling.nn;

import dev.kindling.backend.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The runtime network: layers built from a {@link NetworkSpec}, all reading one flat parameter
 * vector and writing one flat gradient vector, plus one flat vector of non-trainable state.
 * Not thread-safe; build one per thread from the same spec and share nothing but the spec.
 */
public final class Network {
    private final NetworkSpec spec;
    private final Layer[] layers;
    private final Loss loss;
    private final int outputs;
    private final float[] params;
    private final float[] grads;
    private final float[] state;
    private final int[] weightRanges;
    private final Backend backend;
    /** The input's normalisation; null where the network has none (or it is still auto). */
    private final Normalization.Step normalize;
    private float[] z;

    private Network(NetworkSpec spec, Backend backend) {
        this.spec = spec;
        this.backend = backend;
        this.normalize = spec.normalize() == null || spec.normalize().auto() ? null
                : new Normalization.Step(spec.normalize(), spec.input());
        List<Layer> built = new ArrayList<>();
        Shape shape = spec.input();
        int paramCount = 0;
        int stateCount = 0;
        for (LayerSpec layerSpec : spec.layers()) {
            Layer layer = layerSpec.build(shape, backend);
            built.add(layer);
            paramCount += layer.parameterCount();
            stateCount += layer.stateCount();
            shape = layer.outputShape();
        }
        this.layers = built.toArray(new Layer[0]);
        this.outputs = shape.size();
        this.loss = spec.loss().equals(IdentityMse.NAME) ? new IdentityMse(outputs) : new SoftmaxCrossEntropy(outputs);
        this.params = new float[paramCount];
        this.grads = new float[paramCount];
        this.state = new float[stateCount];
        int p = 0;
        int s = 0;
        List<int[]> ranges = new ArrayList<>();
        for (Layer layer : layers) {
            layer.bind(params, grads, p, state, s);
            layer.weightRanges(ranges);
            p += layer.parameterCount();
            s += layer.stateCount();
        }
        this.weightRanges = new int[ranges.size() * 2];
        for (int i = 0; i < ranges.size(); i++) {
            weightRanges[2 * i] = ranges.get(i)[0];
            weightRanges[2 * i + 1] = ranges.get(i)[1];
        }
    }

    /** Builds the layers with all parameters zero; call {@link #initialize} or load values. */
    public static Network build(NetworkSpec spec, Backend backend) {
        return new Network(spec, backend);
    }

    /** Draws initial weights; layer i gets its own stream derived from the seed. */
    public void initialize(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        for (Layer layer : layers) {
            layer.initialize(root.split());
        }
    }

    public NetworkSpec spec() {
        return spec;
    }

    public float[] parameters() {
        return params;
    }

    public float[] gradients() {
        return grads;
    }

    /** Non-trainable model state (BatchNorm running statistics), saved with the parameters. */
    public float[] state() {
        return state;
    }

    /** (offset, length) pairs of the ranges that weight decay applies to. */
    public int[] weightRanges() {
        return weightRanges.clone();
    }

    public int outputCount() {
        return outputs;
    }

    public Shape inputShape() {
        return spec.input();
    }

    public List<Layer> layers() {
        return List.of(layers);
    }

    private float[] forwardLayers(float[] x, int batch, boolean training, RandomGenerator rng) {
        if (normalize == null && spec.normalize() != null) {
            throw new IllegalStateException("network.normalize: auto must be resolved from the training data first");
        }
        backend.beginPass(params);
        float[] a = normalize == null ? x : normalize.apply(x, batch);
        for (Layer layer : layers) {
            a = layer.forward(a, batch, training, rng);
        }
        z = a;
        return a;
    }

    /**
     * Forward pass and the summed loss; with {@code target == null} only the output is computed
     * (and the loss returned is NaN).
     * Training mode uses batch statistics and dropout noise from {@code rng}.
     */
    public double forward(float[] x, float[] target, int batch, boolean training, RandomGenerator rng) {
        return loss.forward(forwardLayers(x, batch, training, rng), target, batch);
    }

    /**
     * The last layer's outputs of the last {@link #forward}, before the output function: the
     * logits of a softmax network, batch × outputs, in a buffer the network reuses.
     */
    public float[] logits() {
        return z;
    }

    /** The outputs (probabilities for softmax) of the last {@link #forward}, batch × outputs. */
    public float[] output() {
        return loss.output();
    }

    /**
     * One training-mode forward and backward pass. Gradients are overwritten with the gradient
     * of (summed loss × scale): scale 1/batch gives the mean, 1 gives the sum that distributed
     * workers add up.
     *
     * @return the loss summed over the batch (no weight-decay term)
     */
    public double gradient(float[] x, float[] target, int batch, float scale, RandomGenerator rng) {
        double sum = forward(x, target, batch, true, rng);
        float[] d = loss.backward(batch, scale);
        for (int i = layers.length - 1; i >= 0; i--) {
            d = layers[i].backward(d, batch, i > 0);
        }
        return sum;
    }

    /** Examples in the last forward whose largest output is at their label. */
    public int correct(int[] labels, int batch) {
        float[] y = output();
        int hits = 0;
        for (int n = 0; n < batch; n++) {
            if (argmax(y, n * outputs, outputs) == labels[n]) {
                hits++;
            }
        }
        return hits;
    }

    static int argmax(float[] v, int off, int len) {
        int best = 0;
        for (int j = 1; j < len; j++) {
            if (v[off + j] > v[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
