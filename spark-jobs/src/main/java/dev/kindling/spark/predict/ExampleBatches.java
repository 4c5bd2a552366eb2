package dev.kindling.spark.predict;

import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.spark.data.Example;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A network's inference-mode forward passes over a partition's examples, one batch at a time,
 * in the task that holds them: what predictions, evaluation and the confusion matrix share.
 * Each batch's targets are one-hot rows as wide as the network's outputs, the loss that
 * {@link dev.kindling.train.Trainer#evaluate} sums on a dataset held whole.
 */
public final class ExampleBatches {
    private final Network net;
    private final Iterator<Example> examples;
    private final int features;
    private final int outputs;
    private final List<Example> batch;
    private final int capacity;
    private final float[] x;
    private final float[] targets;
    private final int[] labels;
    private double loss;

    /** Batches of at most {@code size} of {@code examples}, each example of the network's input size. */
    public ExampleBatches(Network net, Iterator<Example> examples, int size) {
        this.net = net;
        this.examples = examples;
        this.features = net.inputShape().size();
        this.outputs = net.outputCount();
        this.capacity = size;
        this.batch = new ArrayList<>(size);
        this.x = new float[size * features];
        this.targets = new float[size * outputs];
        this.labels = new int[size];
    }

    /** Runs the network on the next batch; false (and no batch) once the examples are used up. */
    public boolean next() {
        batch.clear();
        while (batch.size() < capacity && examples.hasNext()) {
            batch.add(examples.next());
        }
        int n = batch.size();
        if (n == 0) {
            return false;
        }
        byte[] pixels = new byte[n * features];
        byte[] classes = new byte[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.get(i).pixels, 0, pixels, i * features, features);
            classes[i] = (byte) batch.get(i).label;
        }
        // scaled and one-hot exactly as a dataset held whole fills its batches
        Dataset.adopt("batch", 1, 1, features, outputs, pixels, classes).fillBatch(0, n, x, targets, labels);
        loss = net.forward(x, targets, n, false, null);
        return true;
    }

    /** The examples in this batch. */
    public int size() {
        return batch.size();
    }

    public Example example(int i) {
        return batch.get(i);
    }

    /** The batch's loss, summed over its examples. */
    public double loss() {
        return loss;
    }

    /** The batch's examples whose largest output is their label. */
    public int correct() {
        return net.correct(labels, batch.size());
    }

    /** The outputs (probabilities for softmax), batch × outputs, in a buffer the next batch reuses. */
    public float[] output() {
        return net.output();
    }

    /** Example {@code i}'s class: its largest output, the first of equal ones. */
    public int predicted(int i) {
        float[] y = net.output();
        int best = 0;
        for (int k = 1; k < outputs; k++) {
            if (y[i * outputs + k] > y[i * outputs + best]) {
                best = k;
            }
        }
        return best;
    }
}
