package dev.kindling.spark;

import dev.kindling.config.DataParallel;
import dev.kindling.config.TrainSettings;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.nn.Network;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.spark.runtime.SparkSettings;
import dev.kindling.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The tests' one Spark: local[2], configured exactly as jobs are ({@link SparkSettings}: Kryo
 * with registration required and our registrator), shared by every test class of the run since
 * a JVM holds one SparkContext at a time.
 */
public final class TestSpark {
    public static final String MASTER = "local[2]";
    private static SparkSession session;
    private static Dataset train;
    private static Dataset test;

    private TestSpark() {
    }

    /** The settings every test's Spark uses. */
    public static SparkConf conf() {
        return SparkSettings.configure(new SparkConf()
                .setMaster(MASTER)
                .setAppName("kindling-tests")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
    }

    public static synchronized JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }

    /** The shared Spark as a SQL session (for the Parquet and image sources). */
    public static synchronized SparkSession session() {
        if (session == null || session.sparkContext().isStopped()) { // a job run through the CLI stops it
            session = SparkSession.builder().config(conf()).getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }

    /** Stops the shared context (for tests that run a job through the CLI, which starts its own). */
    public static synchronized void stop() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }

    /**
     * Runs {@code job} with every Spark it starts refusing a job whose task results pass 1 MiB
     * ({@code spark.driver.maxResultSize}), so that a job gathering a few thousand examples on
     * the driver fails. Stop the shared Spark first: one already running keeps its settings.
     */
    public static <T> T withResultsUnder1MiB(Callable<T> job) throws Exception {
        String key = "spark.driver.maxResultSize";
        String before = System.getProperty(key);
        System.setProperty(key, "1m");
        try {
            return job.call();
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    /** The real Fashion-MNIST, as scripts/fetch-data installs it. */
    public static Path fashionMnist() {
        return IdxDirectory.findInstalled().orElseThrow(() -> new IllegalStateException(
                "Fashion-MNIST is not installed: run scripts/fetch-data (tests need the real data set)"));
    }

    public static synchronized Dataset train(int n) {
        if (train == null) {
            train = IdxDirectory.open(fashionMnist()).loadTrain();
        }
        return train.subset(0, n);
    }

    public static synchronized Dataset test(int n) {
        if (test == null) {
            test = IdxDirectory.open(fashionMnist()).loadTest();
        }
        return test.subset(0, n);
    }

    /** A trainer's settings for the tests that build a {@code SparkTrainer} themselves. */
    public static TrainSettings settings(Network net, OptimizerConfig optimizer, TrainConfig train,
                                         DataParallel parallel) {
        return new TrainSettings(net.spec(), optimizer, train, "auto", context().master(), parallel);
    }
}
