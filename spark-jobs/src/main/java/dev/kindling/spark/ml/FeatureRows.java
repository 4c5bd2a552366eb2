package dev.kindling.spark.ml;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Shape;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * A DataFrame's feature vectors and labels as the compact examples the Spark trainer shards:
 * each partition is decoded on its executor into one {@link Dataset} block (uint8 pixels and
 * labels), and the driver joins the blocks in partition order. A feature is a pixel intensity,
 * a whole number 0 to 255, exactly as the trainer's other sources hold them; the network sees
 * it divided by 255.
 */
public final class FeatureRows {
    /** The most labels a block may hold; the driver narrows to the network's outputs. */
    private static final int ANY_CLASS = Dataset.MAX_CLASSES;

    private FeatureRows() {
    }

    static Dataset read(org.apache.spark.sql.Dataset<?> frame, String featuresCol, String labelCol, Shape shape,
                        String source) {
        int features = shape.size();
        // plain values only: the function is shipped to the executors (Shape is not serializable)
        int channels = shape.channels();
        int height = shape.height();
        int width = shape.width();
        String shapeText = shape.toString();
        List<Dataset> blocks;
        try {
            blocks = frame.select(functions.col(featuresCol), functions.col(labelCol).cast("double"))
                    .toJavaRDD()
                    .mapPartitionsWithIndex((Integer p, Iterator<Row> rows) ->
                            List.of(decode(p, rows, channels, height, width, shapeText, featuresCol, labelCol, source))
                                    .iterator(), true)
                    .collect();
        } catch (Exception e) { // Spark's job failure is a checked exception thrown unchecked from Scala
            throw explain(e, source);
        }
        int n = 0;
        for (Dataset b : blocks) {
            n += b.size();
        }
        if (n == 0) {
            throw new KindlingException(source + ": no rows to train on");
        }
        byte[] pixels = new byte[n * features];
        byte[] labels = new byte[n];
        int at = 0;
        for (Dataset b : blocks) {
            b.copyPixels(0, b.size(), pixels, at * features);
            b.copyLabels(0, b.size(), labels, at);
            at += b.size();
        }
        return Dataset.adopt(source, shape.channels(), shape.height(), shape.width(), ANY_CLASS, pixels, labels);
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

    /** The largest label + 1. */
    static int classes(Dataset d) {
        int max = -1;
        for (int i = 0; i < d.size(); i++) {
            max = Math.max(max, d.label(i));
        }
        return max + 1;
    }
}
