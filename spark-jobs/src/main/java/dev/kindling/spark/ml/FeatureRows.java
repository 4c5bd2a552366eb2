package dev.kindling.spark.ml;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Shape;
import dev.kindling.spark.data.Examples;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * A DataFrame's feature vectors and labels as examples on the executors: each partition is
 * decoded where it lies into one {@link Dataset} block (uint8 pixels and labels), and the
 * examples are numbered in the frame's order, partition by partition; the driver learns their
 * count and largest label, never the examples. A feature is a pixel intensity, a whole number
 * 0 to 255, exactly as the trainer's other sources hold them; the network sees it divided by
 * 255.
 */
public final class FeatureRows {
    /** The most labels a block may hold; the network's outputs narrow it. */
    private static final int ANY_CLASS = Dataset.MAX_CLASSES;

    private FeatureRows() {
    }

    /**
     * The examples of {@code frame}, of {@code shape}; a bad value fails the read, named by its
     * partition, row and column. {@link Examples#release} them once they are sharded.
     */
    static Examples read(JavaSparkContext sc, org.apache.spark.sql.Dataset<?> frame, String featuresCol,
                         String labelCol, Shape shape, String source) {
        JavaRDD<Dataset> blocks = frame.select(functions.col(featuresCol), functions.col(labelCol).cast("double"))
                .toJavaRDD()
                .mapPartitionsWithIndex(new Decode(shape.channels(), shape.height(), shape.width(), shape.toString(),
                        featuresCol, labelCol, source), true);
        Examples examples;
        try {
            examples = Examples.numbered(sc, blocks, shape.channels(), shape.height(), shape.width(), source);
        } catch (Exception e) { // Spark's job failure is a checked exception thrown unchecked from Scala
            throw explain(e, source);
        }
        if (examples.count() == 0) {
            examples.release();
            throw new KindlingException(source + ": no rows to train on");
        }
        return examples;
    }

    /** Decodes one partition's rows into one block; plain values only, since it is shipped to the executors. */
    private record Decode(int channels, int height, int width, String shape, String featuresCol, String labelCol,
                          String source) implements Function2<Integer, Iterator<Row>, Iterator<Dataset>> {
        @Override
        public Iterator<Dataset> call(Integer partition, Iterator<Row> rows) {
            return List.of(decode(partition, rows, channels, height, width, shape, featuresCol, labelCol, source))
                    .iterator();
        }
    }

    private static Dataset decode(int partition, Iterator<Row> rows, int channels, int height, int width,
                                  String shape, String featuresCol, String labelCol, String source) {
        int features = channels * height * width;
        java.io.ByteArrayOutputStream pixels = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream labels = new java.io.ByteArrayOutputStream();
        byte[] row = new byte[features];
        for (int r = 0; rows.hasNext(); r++) {
            Row next = rows.next();
            String where = source + ": partition " + partition + ", row " + r;
            if (next.isNullAt(0)) {
                throw new KindlingException(where + ": column \"" + featuresCol + "\" is null");
            }
            if (next.isNullAt(1)) {
                throw new KindlingException(where + ": column \"" + labelCol + "\" is null");
            }
            Vector v = (Vector) next.get(0);
            if (v.size() != features) {
                throw new KindlingException(where + ": column \"" + featuresCol + "\" has " + v.size()
                        + " values, the network takes " + features + " (" + shape + ")");
            }
            for (int i = 0; i < features; i++) {
                double x = v.apply(i);
                if (!(x >= 0 && x <= 255 && x == Math.rint(x))) {
                    throw new KindlingException(where + ": column \"" + featuresCol + "\" value " + x + " at index "
                            + i + " is not a pixel intensity (a whole number 0 to 255)");
                }
                row[i] = (byte) (int) x;
            }
            double label = next.getDouble(1);
            if (!(label >= 0 && label < ANY_CLASS && label == Math.rint(label))) {
                throw new KindlingException(where + ": column \"" + labelCol + "\" value " + label
                        + " is not a class index (a whole number 0 to " + (ANY_CLASS - 1) + ")");
            }
            pixels.write(row, 0, features);
            labels.write((int) label);
        }
        return Dataset.adopt(source, channels, height, width, ANY_CLASS, pixels.toByteArray(), labels.toByteArray());
    }

    /** A bad value found on an executor reaches the driver inside Spark's job failure: report it alone. */
    static RuntimeException explain(Exception e, String source) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof KindlingException k) {
                return t == e ? k : new KindlingException(k.getMessage(), e);
            }
        }
        return e instanceof RuntimeException r ? r : new KindlingException(source + ": cannot read: " + e.getMessage(), e);
    }
}
