package dev.kindling.spark.report;

import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;

/** Counts of (true class, predicted class) of a network on a data set; the prediction is the largest output. */
public record ConfusionMatrix(long[][] counts) {

    static ConfusionMatrix of(Network net, Dataset data, int batch) {
        int classes = net.outputCount();
        long[][] counts = new long[classes][classes];
        int n = data.size();
        batch = Math.max(1, Math.min(batch, n));
        float[] x = new float[batch * data.featureCount()];
        float[] t = new float[batch * classes];
        int[] labels = new int[batch];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            data.fillBatch(order, from, to, x, t, labels);
            net.forward(x, t, to - from, false, null);
            float[] y = net.output();
            for (int k = 0; k < to - from; k++) {
                int best = 0;
                for (int j = 1; j < classes; j++) {
                    if (y[k * classes + j] > y[k * classes + best]) {
                        best = j;
                    }
                }
                counts[labels[k]][best]++;
            }
        }
        return new ConfusionMatrix(counts);
    }

    long total() {
        long s = 0;
        for (long[] row : counts) {
            for (long v : row) {
                s += v;
            }
        }
        return s;
    }

    long correct() {
        long s = 0;
        for (int i = 0; i < counts.length; i++) {
            s += counts[i][i];
        }
        return s;
    }

    /** Recall per class: the share of its examples predicted as it (NaN for a class without examples). */
    double[] recall() {
        double[] r = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            long row = 0;
            for (long v : counts[i]) {
                row += v;
            }
            r[i] = row == 0 ? Double.NaN : (double) counts[i][i] / row;
        }
        return r;
    }
}
