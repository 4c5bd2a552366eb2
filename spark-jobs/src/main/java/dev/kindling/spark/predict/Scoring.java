package dev.kindling.spark.predict;

import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.spark.data.Example;
import dev.kindling.spark.data.Examples;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
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
        BroadcastModel broadcast = BroadcastModel.of(sc, model, backend);
        try {
            JavaRDD<Example> examples = data.rdd();
            if (examples.getNumPartitions() != tasks) {
                examples = examples.repartition(Math.max(1, Math.min(tasks, data.count())));
            }
            boolean withPaths = data.withFiles();
            JavaRDD<Row> rows = examples.mapPartitions(new Score(broadcast, withPaths));
            spark.createDataFrame(rows, withPaths ? PATH_SCHEMA : SCHEMA)
                    .sort(withPaths ? "path" : "id")
                    .write().mode(SaveMode.ErrorIfExists).parquet(location);
        } finally {
            broadcast.destroy();
        }
    }

    /** Scores one partition's examples in batches of {@link #BATCH}. */
    private record Score(BroadcastModel model, boolean withPaths) implements FlatMapFunction<Iterator<Example>, Row> {
        @Override
        public Iterator<Row> call(Iterator<Example> examples) {
            Network net = model.network();
            int outputs = net.outputCount();
            List<Row> rows = new ArrayList<>();
            ExampleBatches batches = new ExampleBatches(net, examples, BATCH);
            while (batches.next()) {
                float[] y = batches.output();
                for (int i = 0; i < batches.size(); i++) {
                    float[] p = new float[outputs];
                    System.arraycopy(y, i * outputs, p, 0, outputs);
                    Example e = batches.example(i);
                    rows.add(RowFactory.create(withPaths ? (Object) e.file : (Object) (long) e.index, e.label,
                            batches.predicted(i), p));
                }
            }
            return rows.iterator();
        }
    }
}
