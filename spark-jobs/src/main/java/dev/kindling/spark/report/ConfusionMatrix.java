package dev.kindling.spark.report;

import dev.kindling.io.ModelFile;
import dev.kindling.spark.data.Example;
import dev.kindling.spark.data.Examples;
import dev.kindling.spark.predict.BroadcastModel;
import dev.kindling.spark.predict.ExampleBatches;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;

/** Counts of (true class, predicted class) of a network on a data set; the prediction is the largest output. */
public record ConfusionMatrix(long[][] counts) {
    /** Examples per forward pass. */
    static final int BATCH = 500;

    /**
     * The matrix of {@code model} on {@code data} (fitted to it), each partition counted where it
     * lies, on {@code backend}: only the partitions' counts reach the driver.
     */
    static ConfusionMatrix of(JavaSparkContext sc, ModelFile.Contents model, Examples data, String backend) {
        int classes = data.outputs();
        BroadcastModel broadcast = BroadcastModel.of(sc, model, backend);
        try {
            return new ConfusionMatrix(data.rdd().mapPartitions(new Count(broadcast, classes))
                    .fold(new long[classes][classes], new Add()));
        } finally {
            broadcast.destroy();
        }
    }

    /** One partition's counts. */
    private record Count(BroadcastModel model, int classes) implements FlatMapFunction<Iterator<Example>, long[][]> {
        @Override
        public Iterator<long[][]> call(Iterator<Example> examples) {
            long[][] counts = new long[classes][classes];
            if (examples.hasNext()) {
                ExampleBatches batches = new ExampleBatches(model.network(), examples, BATCH);
                while (batches.next()) {
                    for (int i = 0; i < batches.size(); i++) {
                        counts[batches.example(i).label][batches.predicted(i)]++;
                    }
                }
            }
            return List.<long[][]>of(counts).iterator();
        }
    }

    /** Adds the second matrix into the first. */
    private static final class Add implements Function2<long[][], long[][], long[][]> {
        private static final long serialVersionUID = 1L;

        @Override
        public long[][] call(long[][] sum, long[][] more) {
            for (int i = 0; i < sum.length; i++) {
                for (int j = 0; j < sum.length; j++) {
                    sum[i][j] += more[i][j];
                }
            }
            return sum;
        }
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
