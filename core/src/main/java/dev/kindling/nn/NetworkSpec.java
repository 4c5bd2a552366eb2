package dev.kindling.nn;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kindling.KindlingException;
import dev.kindling.data.Augmentation;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole network's description: input shape, layers, and the output/loss pair, and optionally
 * the input's normalisation ({@link Normalization}, applied by the network itself) and the
 * training data's augmentation ({@link Augmentation}, applied where training batches are filled).
 * This is the architecture part of a model file and of a config file.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkSpec(Shape input, List<LayerSpec> layers, String loss, Normalization normalize,
                          Augmentation augment) {

    public NetworkSpec {
        if (input == null) {
            throw new KindlingException("network.input: missing (e.g. [1, 28, 28] or [784, 1, 1])");
        }
        if (layers == null || layers.isEmpty()) {
            throw new KindlingException("network.layers: missing or empty");
        }
        layers = List.copyOf(layers);
        loss = loss == null ? SoftmaxCrossEntropy.NAME : loss;
        if (!loss.equals(SoftmaxCrossEntropy.NAME) && !loss.equals(IdentityMse.NAME)) {
            throw new KindlingException("network.loss: unknown value \"" + loss + "\" (expected "
                    + SoftmaxCrossEntropy.NAME + " or " + IdentityMse.NAME + ")");
        }
        if (normalize != null) {
            normalize.check(input);
        }
        if (augment != null && !augment.any()) {
            augment = null;
        }
    }

    public NetworkSpec(Shape input, List<LayerSpec> layers, String loss) {
        this(input, layers, loss, null, null);
    }

    /**
     * Refuses {@code normalize: auto} where {@code where} does not compute it from the data
     * ({@code train} does): the numbers are then to be given.
     */
    public NetworkSpec requireNormalizeResolved(String where) {
        if (normalize != null && normalize.auto()) {
            throw new dev.kindling.UsageException("network.normalize: auto is computed from the training data by "
                    + "train; " + where + " needs the numbers: give {mean: [...], std: [...]} (a model trained with "
                    + "auto records them in model.json, network.normalize)");
        }
        return this;
    }

    /** This network with {@code n} as its normalisation (e.g. {@code normalize: auto} resolved). */
    public NetworkSpec withNormalize(Normalization n) {
        return new NetworkSpec(input, layers, loss, n, augment);
    }

    /**
     * The MLP shorthand of the command line: "784-100-10" is 784 inputs, ReLU hidden layers and
     * a softmax output; dropout (if > 0) follows every hidden activation.
     */
    public static NetworkSpec mlp(String arch, String init, double dropout) {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new KindlingException("dropout: " + dropout + " is out of range [0, 1)");
        }
        String[] parts = arch == null ? new String[0] : arch.trim().split("-", -1);
        if (parts.length < 2) {
            throw new KindlingException("arch: \"" + arch + "\" must be sizes joined by '-', e.g. 784-100-10");
        }
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new KindlingException("arch: \"" + arch + "\" has \"" + parts[i] + "\", which is not a whole number");
            }
            if (sizes[i] <= 0) {
                throw new KindlingException("arch: \"" + arch + "\" has size " + sizes[i] + ", every size must be > 0");
            }
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 1; i < sizes.length; i++) {
            boolean hidden = i < sizes.length - 1;
            layers.add(new LayerSpec.Dense(sizes[i], init));
            if (hidden) {
                layers.add(new LayerSpec.Relu());
                if (dropout > 0) {
                    layers.add(new LayerSpec.Dropout(dropout));
                }
            }
        }
        return new NetworkSpec(Shape.vector(sizes[0]), layers, SoftmaxCrossEntropy.NAME);
    }

    /** Whether data of this per-example shape can be fed to the network. */
    public boolean accepts(Shape data) {
        return input.equals(data) || (input.isVector() && input.size() == data.size());
    }
}
