package dev.kindling.bench.spark;

import dev.kindling.bench.onemachine.Dl4jNetworks;
import dev.kindling.bench.onemachine.Workload;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.stats.EventStats;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deeplearning4j 1.0.0-M2 on Spark: the MLP of {@link Workload} (the same network, initialisation
 * and Adam 0.001 as Kindling's) trained by {@code SparkDl4jMultiLayer} with a
 * {@code ParameterAveragingTrainingMaster}: 100 examples per worker per step, parameters averaged
 * every 5 steps, its default {@code Export} approach (each fit writes the RDD's batches to files
 * and the workers read them back) and its training statistics on. One {@code fit} per epoch,
 * timed; the test accuracy is computed on the driver after it, untimed.
 *
 * <p>Usage: {@code Dl4jSparkRun --master URL --epochs N --out FILE [--data DIR] [--seed N] [--run N]
 * [--workers N] [--default-fs URI] [--export-dir URI] [--label NAME] [--master-label NAME]}. On a
 * cluster, DL4J wants a default file system that is not the local one ({@code --default-fs}, the
 * {@link SharedHdfs} here) and exports there.
 */
public final class Dl4jSparkRun {
    private Dl4jSparkRun() {
    }

    public static void main(String[] argv) {
        Args a = new Args(argv);
        String master = a.get("master");
        int workers = a.integer("workers", 2);
        int epochs = a.integer("epochs", 3);
        long seed = Long.parseLong(a.get("seed", "1"));
        Path data = a.get("data", null) != null ? Path.of(a.get("data"))
                : IdxDirectory.findInstalled().orElseThrow(() -> new IllegalStateException("Fashion-MNIST not found"));
        IdxDirectory dir = IdxDirectory.open(data);
        Dataset train = dir.loadTrain();
        Dataset test = dir.loadTest();

        // DL4J asks an internet NTP server for the time of its statistics by default; this
        // machine's clock serves (the property is read on the driver and on every executor).
        System.setProperty(DL4JSystemProperties.TIMESOURCE_CLASSNAME_PROPERTY, SystemClockTimeSource.class.getName());
        SparkConf conf = new SparkConf().setMaster(master).setAppName("dl4j-parameter-averaging");
        conf.set("spark.executor.extraJavaOptions", (conf.get("spark.executor.extraJavaOptions", "") + " -D"
                + DL4JSystemProperties.TIMESOURCE_CLASSNAME_PROPERTY + "=" + SystemClockTimeSource.class.getName()).trim())
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        if (a.get("default-fs", null) != null) {
            // a shared file system for the Export approach (see SharedHdfs)
            conf.set("spark.hadoop.fs.defaultFS", a.get("default-fs"));
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            int batch = Workload.BATCH;
            List<DataSet> batches = new ArrayList<>();
            for (int from = 0; from + batch <= train.size(); from += batch) {
                batches.add(dataSet(train, from, from + batch));
            }
            // In slices: one task per worker holding its half would come near Spark's RPC message
            // limit on a cluster. DL4J repartitions to its workers itself.
            JavaRDD<DataSet> rdd = sc.parallelize(batches, workers * 8).persist(StorageLevel.MEMORY_ONLY());
            rdd.count();

            ParameterAveragingTrainingMaster.Builder tm = new ParameterAveragingTrainingMaster.Builder(batch)
                    .batchSizePerWorker(batch)
                    .averagingFrequency(5)
                    .rngSeed(seed)
                    .collectTrainingStats(true);
            if (a.get("export-dir", null) != null) {
                tm.exportDirectory(a.get("export-dir"));
            }
            SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc,
                    Dl4jNetworks.configuration(Workload.MLP, seed), tm.build());
            spark.setCollectTrainingStats(true);

            SparkResults out = new SparkResults(Path.of(a.get("out")), "dl4j", a.get("label",
                    "ParameterAveragingTrainingMaster, 100 per worker, averaging every 5"), a.get("master-label", master),
                    a.integer("run", 1));
            out.put("parameters", spark.getNetwork().numParams());
            out.put("partitions", workers);
            INDArray testX = features(test);
            double elapsed = 0;
            int examples = batches.size() * batch;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                long t0 = System.nanoTime();
                spark.fit(rdd);
                double seconds = (System.nanoTime() - t0) / 1e9;
                elapsed += seconds;
                double accuracy = accuracy(spark.getNetwork(), testX, test);
                out.point(epoch, elapsed, accuracy, examples / seconds);
                System.out.printf(Locale.ROOT, "dl4j spark %s epoch %d: %.1f s, %.0f examples/s, test accuracy %.4f%n",
                        master, epoch, seconds, examples / seconds, accuracy);
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("epochs", epochs);
            f.put("examples", (long) examples * epochs);
            f.put("training_seconds", elapsed);
            f.put("stats", flatten(spark.getSparkTrainingStats()));
            out.write("dl4j-stats", f);
        } finally {
            sc.stop();
        }
    }

    /** Every statistic DL4J collected, nested ones included: key to {count, total_ms}. */
    private static Map<String, Object> flatten(SparkTrainingStats stats) {
        Map<String, Object> all = new LinkedHashMap<>();
        for (SparkTrainingStats s = stats; s != null; s = s.getNestedTrainingStats()) {
            for (String key : s.getKeySet()) {
                List<EventStats> events = s.getValue(key);
                if (events == null) {
                    continue;
                }
                long total = 0;
                for (EventStats e : events) {
                    total += e.getDurationMs();
                }
                all.put(key, Map.of("count", events.size(), "total_ms", total));
            }
        }
        return all;
    }

    private static DataSet dataSet(Dataset d, int from, int to) {
        int n = to - from;
        float[] x = new float[n * d.featureCount()];
        float[] t = new float[n * 10];
        d.fillBatch(from, to, x, t, null);
        return new DataSet(Nd4j.create(x, new long[] {n, d.featureCount()}, DataType.FLOAT),
                Nd4j.create(t, new long[] {n, 10}, DataType.FLOAT));
    }

    private static INDArray features(Dataset d) {
        float[] x = new float[d.size() * d.featureCount()];
        d.fillBatch(0, d.size(), x, null, null);
        return Nd4j.create(x, new long[] {d.size(), d.featureCount()}, DataType.FLOAT);
    }

    private static double accuracy(MultiLayerNetwork net, INDArray x, Dataset test) {
        INDArray predicted = net.output(x, false).argMax(1);
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            if (predicted.getInt(i) == test.label(i)) {
                correct++;
            }
        }
        return (double) correct / test.size();
    }
}
