package dev.kindling.spark.predict;

import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.spark.data.Example;
import dev.kindling.spark.data.Examples;
import dev.kindling.spark.runtime.TaskGpu;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a data set with a model where its examples lie: the model file's bytes are broadcast
 * once, each task rebuilds the network and scores its partition's examples; only the rows of
 * predictions leave the executors, written by them.
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
     * Writes one row per example of {@code data} to Parquet at {@code location}, in order: where
     * the examples are files of their own (image folders), {@link #PATH_SCHEMA}, else
     * {@link #SCHEMA}. The examples are scored where they lie, in {@code tasks} tasks.
     */
    static void write(SparkSession spark, JavaSparkContext sc, ModelFile.Contents model, Examples data, int tasks,
                      String backend, String location) {
        byte[] weights = ModelFile.weights(model.parameters(), model.state());
        byte[] description = ModelFile.description(model.spec(), model.parameters().length, model.state().length,
                weights, model.metadata());
        Broadcast<byte[]> descriptionBlock = sc.broadcast(description);
        Broadcast<byte[]> weightsBlock = sc.broadcast(weights);
        try {
            JavaRDD<Example> examples = data.rdd();
            if (examples.getNumPartitions() != tasks) {
                examples = examples.repartition(Math.max(1, Math.min(tasks, data.count())));
            }
            boolean withPaths = data.withFiles();
            JavaRDD<Row> rows = examples.mapPartitions(new Score(descriptionBlock, weightsBlock, backend,
                    data.channels() * data.height() * data.width(), data.outputs(), withPaths));
            spark.createDataFrame(rows, withPaths ? PATH_SCHEMA : SCHEMA)
                    .sort(withPaths ? "path" : "id")
                    .write().mode(SaveMode.ErrorIfExists).parquet(location);
        } finally {
            descriptionBlock.destroy();
            weightsBlock.destroy();
        }
    }

    /** Scores one partition's examples in batches of {@link #BATCH}. */
    private record Score(Broadcast<byte[]> description, Broadcast<byte[]> weights, String backend, int features,
                         int classes, boolean withPaths) implements FlatMapFunction<Iterator<Example>, Row> {
        @Override
        public Iterator<Row> call(Iterator<Example> examples) {
            Network net = ModelFile.toNetwork("model", ModelFile.parse(ModelFile.DESCRIPTION, description.value(),
                    ModelFile.WEIGHTS, weights.value()), Backends.create(backend, TaskGpu.assigned()));
            int outputs = net.outputCount();
            List<Row> rows = new ArrayList<>();
            List<Example> batch = new ArrayList<>(BATCH);
            while (examples.hasNext()) {
                batch.add(examples.next());
                if (batch.size() == BATCH || !examples.hasNext()) {
                    byte[] pixels = new byte[batch.size() * features];
                    byte[] labels = new byte[batch.size()];
                    for (int i = 0; i < batch.size(); i++) {
                        System.arraycopy(batch.get(i).pixels, 0, pixels, i * features, features);
                        labels[i] = (byte) batch.get(i).label;
                    }
                    Dataset d = Dataset.adopt("batch", 1, 1, features, classes, pixels, labels);
                    float[] x = new float[batch.size() * features];
                    float[] t = new float[batch.size() * outputs];
                    int[] l = new int[batch.size()];
                    d.fillBatch(0, batch.size(), x, t, l);
                    net.forward(x, t, batch.size(), false, null);
                    float[] y = net.output();
                    for (int i = 0; i < batch.size(); i++) {
                        float[] p = new float[outputs];
                        int best = 0;
                        for (int k = 0; k < outputs; k++) {
                            p[k] = y[i * outputs + k];
                            if (y[i * outputs + k] > y[i * outputs + best]) {
                                best = k;
                            }
                        }
                        Example e = batch.get(i);
                        rows.add(RowFactory.create(withPaths ? (Object) e.file : (Object) (long) e.index, e.label,
                                best, p));
                    }
                    batch.clear();
                }
            }
            return rows.iterator();
        }
    }
}
