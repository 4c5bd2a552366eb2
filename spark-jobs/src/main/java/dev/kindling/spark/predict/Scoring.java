package dev.kindling.spark.predict;

import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.spark.runtime.TaskGpu;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a data set with a model on the executors: the examples and the model file's bytes are
 * broadcast once, each task rebuilds the network and scores one contiguous range of examples.
 */
public final class Scoring {
    /** Examples per forward pass. */
    static final int BATCH = 256;

    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("label", DataTypes.IntegerType, false)
            .add("prediction", DataTypes.IntegerType, false)
            .add("probability", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /** For examples that are files (image folders): the file's path in place of the position. */
    static final StructType PATH_SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add(SCHEMA.apply("label"))
            .add(SCHEMA.apply("prediction"))
            .add(SCHEMA.apply("probability"));

    private Scoring() {
    }

    /**
     * Writes one row per example of {@code data} to Parquet at {@code location}: with
     * {@code files} (each example's file, in order) empty, {@link #SCHEMA}, else {@link #PATH_SCHEMA}.
     */
    static void write(SparkSession spark, JavaSparkContext sc, ModelFile.Contents model, Dataset data,
            List<String> files, int tasks, String backend, String location) {
        if (!files.isEmpty() && files.size() != data.size()) {
            throw new IllegalArgumentException(files.size() + " files for " + data.size() + " examples");
        }
        byte[] weights = ModelFile.weights(model.parameters(), model.state());
        byte[] description = ModelFile.description(model.spec(), model.parameters().length, model.state().length,
                weights, model.metadata());
        Broadcast<byte[]> descriptionBlock = sc.broadcast(description);
        Broadcast<byte[]> weightsBlock = sc.broadcast(weights);
        Broadcast<Dataset> examples = sc.broadcast(data);
        Broadcast<String[]> paths = files.isEmpty() ? null : sc.broadcast(files.toArray(String[]::new));
        int n = data.size();
        int parts = Math.max(1, Math.min(tasks, n));
        try {
            JavaRDD<Row> rows = sc.parallelize(IntStream.range(0, parts).boxed().toList(), parts)
                    .mapPartitions(indices -> score(indices, parts, descriptionBlock.value(), weightsBlock.value(),
                            examples.value(), paths == null ? null : paths.value(), backend));
            spark.createDataFrame(rows, paths == null ? SCHEMA : PATH_SCHEMA).write().mode(SaveMode.ErrorIfExists).parquet(location);
        } finally {
            descriptionBlock.destroy();
            weightsBlock.destroy();
            examples.destroy();
            if (paths != null) {
                paths.destroy();
            }
        }
    }

    private static Iterator<Row> score(Iterator<Integer> indices, int parts, byte[] description, byte[] weights,
            Dataset data, String[] paths, String backend) {
        Network net = ModelFile.toNetwork("model", ModelFile.parse(ModelFile.DESCRIPTION, description,
                ModelFile.WEIGHTS, weights), Backends.create(backend, TaskGpu.assigned()));
        int outputs = net.outputCount();
        float[] x = new float[BATCH * data.featureCount()];
        float[] t = new float[BATCH * outputs];
        int[] labels = new int[BATCH];
        List<Row> rows = new ArrayList<>();
        while (indices.hasNext()) {
            int part = indices.next();
            int first = (int) ((long) data.size() * part / parts);
            int end = (int) ((long) data.size() * (part + 1) / parts);
            for (int from = first; from < end; from += BATCH) {
                int to = Math.min(end, from + BATCH);
                data.fillBatch(from, to, x, t, labels);
                net.forward(x, t, to - from, false, null);
                float[] y = net.output();
                for (int i = 0; i < to - from; i++) {
                    float[] p = new float[outputs];
                    int best = 0;
                    for (int k = 0; k < outputs; k++) {
                        p[k] = y[i * outputs + k];
                        if (y[i * outputs + k] > y[i * outputs + best]) {
                            best = k;
                        }
                    }
                    rows.add(RowFactory.create(paths == null ? (Object) ((long) from + i) : paths[from + i], labels[i],
                            best, p));
                }
            }
        }
        return rows.iterator();
    }
}
