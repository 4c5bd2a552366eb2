package dev.kindling.bench.onemachine;

import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Trains one {@link Workload} with Deeplearning4j on full Fashion-MNIST, one thread, and logs
 * examples per second per epoch and the test accuracy, as {@link KindlingRun} does.
 *
 * <p>One thread: {@code scripts/bench} starts this JVM with {@code OMP_NUM_THREADS=1} (and the
 * OpenBLAS/MKL equivalents), and ND4J's own thread limits are set to 1 here before any
 * computation; the logged CPU-time/wall-time ratio shows what it really used.
 *
 * <p>The data is the same: the pixels are scaled to [0, 1] by Kindling's {@link Dataset} once
 * into one off-heap matrix, and each epoch visits it in a seeded random order. The timed loop
 * is, per batch, {@code Nd4j.pullRows} into reused arrays then {@code MultiLayerNetwork.fit};
 * the gather's share of the epoch is logged too ({@code gather_share}). There are no listeners
 * and no asynchronous prefetch thread (that only comes with a DataSetIterator).
 */
public final class Dl4jRun {

    private Dl4jRun() {
    }

    public static void main(String[] argv) {
        RunArgs args = RunArgs.parse(argv);
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        // DL4J's performance guide: with workspaces, the periodic System.gc() only costs time.
        Nd4j.getMemoryManager().togglePeriodicGc(false);

        IdxDirectory dir = IdxDirectory.open(args.data());
        Dataset train = dir.loadTrain();
        Dataset test = dir.loadTest();
        INDArray trainX = features(train);
        INDArray trainY = oneHot(train);
        INDArray testX = features(test);
        int[] testLabels = labels(test);

        MultiLayerNetwork net = new MultiLayerNetwork(Dl4jNetworks.configuration(args.model(), args.seed()));
        net.init();

        ResultLog log = new ResultLog(args.out(), "dl4j", "nd4j-native " + System.getenv()
                .getOrDefault("OPENBLAS_CORETYPE", "auto"), args);
        log.put("parameters", net.numParams());
        log.put("nd4j_max_threads", Nd4j.getEnvironment().maxThreads());
        log.put("nd4j_max_master_threads", Nd4j.getEnvironment().maxMasterThreads());
        String blas = nativeBlas();
        log.put("openblas", blas);

        int n = train.size();
        int batch = Workload.BATCH;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int[] rows = new int[batch];
        INDArray x = Nd4j.create(DataType.FLOAT, batch, 784);
        INDArray y = Nd4j.create(DataType.FLOAT, batch, 10);
        SplittableRandom shuffle = new SplittableRandom(args.seed());
        long trainingStart = System.nanoTime();
        for (int epoch = 1; epoch <= args.epochs(); epoch++) {
            shuffle(order, shuffle);
            long cpu0 = ResultLog.processCpuNanos();
            long start = System.nanoTime();
            long gather = 0;
            for (int from = 0; from + batch <= n; from += batch) {
                long g = System.nanoTime();
                System.arraycopy(order, from, rows, 0, batch);
                Nd4j.pullRows(trainX, x, 1, rows);
                Nd4j.pullRows(trainY, y, 1, rows);
                gather += System.nanoTime() - g;
                net.fit(x, y);
            }
            long nanos = System.nanoTime() - start;
            long cpu = ResultLog.processCpuNanos() - cpu0;
            double accuracy = accuracy(net, testX, testLabels);
            double perSecond = (n - n % batch) / (nanos / 1e9);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("epoch", epoch);
            f.put("examples_per_second", perSecond);
            f.put("epoch_seconds", nanos / 1e9);
            f.put("since_training_start_seconds", (System.nanoTime() - trainingStart) / 1e9);
            f.put("test_accuracy", accuracy);
            f.put("gather_share", (double) gather / nanos);
            f.put("cpu_per_wall", (double) cpu / nanos);
            log.epoch(f);
            System.out.printf(Locale.ROOT, "dl4j %s (%s) epoch %d: %.0f examples/s, test accuracy %.4f, cpu/wall %.2f%n",
                    args.model().id(), blas, epoch, perSecond, accuracy, (double) cpu / nanos);
        }
    }

    /**
     * The OpenBLAS build ND4J runs on and the kernels it chose, where the JavaCPP preset on the
     * classpath can tell (by reflection, so that this compiles against any preset version).
     * The preset DL4J 1.0.0-M2 ships with (JavaCPP 1.5.7) does not map the calls that say;
     * there {@code scripts/bench} starts the JVM with {@code OPENBLAS_VERBOSE=2}, and OpenBLAS
     * prints "Core: NAME" on stderr when it loads.
     */
    static String nativeBlas() {
        try {
            Class<?> c = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
            org.bytedeco.javacpp.Loader.load(c);
            Object config = c.getMethod("openblas_get_config").invoke(null);
            Object core = c.getMethod("openblas_get_corename").invoke(null);
            return ((org.bytedeco.javacpp.BytePointer) config).getString().trim() + ", core "
                    + ((org.bytedeco.javacpp.BytePointer) core).getString().trim();
        } catch (ReflectiveOperationException | LinkageError e) {
            String version;
            try {
                version = org.bytedeco.javacpp.Loader.getVersion();
            } catch (java.io.IOException io) {
                version = "?";
            }
            return "OpenBLAS of JavaCPP " + version + " (kernels: see \"Core:\" in the run's log)";
        }
    }

    private static INDArray features(Dataset d) {
        float[] x = new float[d.size() * d.featureCount()];
        d.fillBatch(0, d.size(), x, null, null);
        return Nd4j.create(x, new long[] {d.size(), d.featureCount()}, DataType.FLOAT);
    }

    private static INDArray oneHot(Dataset d) {
        float[] t = new float[d.size() * 10];
        d.fillBatch(0, d.size(), new float[d.size() * d.featureCount()], t, null);
        return Nd4j.create(t, new long[] {d.size(), 10}, DataType.FLOAT);
    }

    private static int[] labels(Dataset d) {
        int[] l = new int[d.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = d.label(i);
        }
        return l;
    }

    private static double accuracy(MultiLayerNetwork net, INDArray x, int[] labels) {
        int correct = 0;
        int chunk = 500;
        for (int from = 0; from < labels.length; from += chunk) {
            int to = Math.min(labels.length, from + chunk);
            INDArray out = net.output(x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()), false);
            INDArray predicted = out.argMax(1);
            for (int i = from; i < to; i++) {
                if (predicted.getInt(i - from) == labels[i]) {
                    correct++;
                }
            }
        }
        return (double) correct / labels.length;
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}
