package dev.kindling.bench.spark;

import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Spark MLlib's {@code MultilayerPerceptronClassifier} on Fashion-MNIST (pixels scaled to
 * [0, 1]), layers 784-100-10 (MLlib's hidden layers are sigmoid; the output softmax). MLlib
 * has no per-epoch callback, so each point of the accuracy-over-time curve is its own training
 * from the same seed with a larger {@code maxIter}; the point's time is that fit's time
 * (the data is cached and counted before; evaluation is untimed). examples/s counts one pass
 * over the training set per iteration.
 *
 * <p>Usage: {@code MllibRun --master URL --iterations 25,50,100 --out FILE [--solver l-bfgs|gd]
 * [--block-size N] [--step-size X] [--workers N] [--seed N] [--run N] [--data DIR]}
 */
public final class MllibRun {
    private static final int SLICES = 32;

    private MllibRun() {
    }

    public static void main(String[] argv) {
        Args a = new Args(argv);
        String master = a.get("master");
        int workers = a.integer("workers", 2);
        String solver = a.get("solver", "l-bfgs");
        int blockSize = a.integer("block-size", 128);
        double stepSize = a.number("step-size", 0.03);
        long seed = Long.parseLong(a.get("seed", "1"));
        Path data = a.get("data", null) != null ? Path.of(a.get("data"))
                : IdxDirectory.findInstalled().orElseThrow(() -> new IllegalStateException("Fashion-MNIST not found"));
        IdxDirectory dir = IdxDirectory.open(data);
        Dataset train = dir.loadTrain();
        Dataset test = dir.loadTest();

        SparkSession spark = SparkSession.builder().master(master).appName("mllib-mlp")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        try {
            StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
            // In slices: one task holding the whole set would exceed Spark's RPC message limit on a cluster.
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            var trainDf = spark.createDataFrame(sc.parallelize(rows(train), SLICES), schema).repartition(workers).cache();
            var testDf = spark.createDataFrame(sc.parallelize(rows(test), SLICES), schema).cache();
            trainDf.count();
            testDf.count();
            String variant = solver + ", blockSize " + blockSize + (solver.equals("gd") ? ", stepSize " + stepSize : "")
                    + ", sigmoid hidden";
            SparkResults out = new SparkResults(Path.of(a.get("out")), "mllib", variant, a.get("master-label", master),
                    a.integer("run", 1));
            out.put("parameters", 784 * 100 + 100 + 100 * 10 + 10);
            out.put("partitions", workers);
            MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy");
            for (String it : a.get("iterations").split(",")) {
                int iterations = Integer.parseInt(it.trim());
                MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier()
                        .setLayers(new int[] {784, 100, 10}).setMaxIter(iterations).setBlockSize(blockSize)
                        .setSolver(solver).setStepSize(stepSize).setSeed(seed);
                long t0 = System.nanoTime();
                MultilayerPerceptronClassificationModel model = mlp.fit(trainDf);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double acc = accuracy.evaluate(model.transform(testDf));
                double perSecond = (double) iterations * train.size() / seconds;
                out.point(iterations, seconds, acc, perSecond);
                System.out.printf(Locale.ROOT, "mllib %s %s maxIter %d: %.1f s, test accuracy %.4f%n",
                        master, variant, iterations, seconds, acc);
            }
        } finally {
            spark.stop();
        }
    }

    private static List<Row> rows(Dataset d) {
        List<Row> rows = new ArrayList<>(d.size());
        float[] x = new float[d.featureCount()];
        for (int i = 0; i < d.size(); i++) {
            d.fillBatch(i, i + 1, x, null, null);
            double[] v = new double[x.length];
            for (int j = 0; j < x.length; j++) {
                v[j] = x[j];
            }
            rows.add(RowFactory.create((double) d.label(i), Vectors.dense(v)));
        }
        return rows;
    }
}
