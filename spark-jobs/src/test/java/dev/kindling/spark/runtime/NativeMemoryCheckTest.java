package dev.kindling.spark.runtime;

import dev.kindling.spark.Cli;

import dev.kindling.spark.TestSpark;

import static dev.kindling.spark.Cli.assertRefused;
import static dev.kindling.spark.Cli.run;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.backend.BlasBackend;
import dev.kindling.nn.NetworkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executors' native buffers, measured from the model and batch, against Spark's memory overhead. */
public class NativeMemoryCheckTest {
    static final NetworkSpec BIG = NetworkSpec.mlp("784-8000-10", "he", 0); // 6.4M weights: 25 MB of buffers

    @TempDir
    Path tmp;

    static SparkConf yarn() {
        return new SparkConf(false).set("spark.master", "yarn");
    }

    @Test
    void theBuffersGrowWithTheModelAndTheBatch() {
        org.junit.jupiter.api.Assumptions.assumeTrue(BlasBackend.isAvailable());
        long small = NativeMemoryCheck.measure(NetworkSpec.mlp("784-100-10", "he", 0), 100, "blas", false);
        long big = NativeMemoryCheck.measure(BIG, 100, "blas", false);
        long bigBatch = NativeMemoryCheck.measure(BIG, 1000, "blas", false);
        assertTrue(big - NativeMemoryCheck.OPENBLAS_BUFFER >= 4L * 784 * 8000, "the weights pass through: " + big);
        assertTrue(small < big && big < bigBatch, small + " < " + big + " < " + bigBatch);
        assertEquals(0, NativeMemoryCheck.measure(BIG, 100, "java", false), "the pure-Java backend holds nothing native");
    }

    @Test
    void aGpuTaskHoldsPinnedMemoryForTheParameterVector() {
        org.junit.jupiter.api.Assumptions.assumeTrue(BlasBackend.isAvailable());
        // measured on the driver, which needs no GPU for it
        long params = 4L * (784 * 8000 + 8000 + 8000 * 10 + 10);
        long cuda = NativeMemoryCheck.measure(BIG, 100, "cuda", false);
        assertTrue(cuda >= params, cuda + " >= " + params);
        assertEquals(cuda, NativeMemoryCheck.measure(BIG, 100, "auto", true), "auto where tasks are given GPUs");
        assertTrue(NativeMemoryCheck.measure(BIG, 100, "auto", false) != cuda, "auto without GPUs stays on the CPU");
    }

    @Test
    void refusesAnOverheadThatCannotHoldTheBuffersNamingTheSetting() {
        org.junit.jupiter.api.Assumptions.assumeTrue(BlasBackend.isAvailable());
        SparkConf conf = yarn().set("spark.executor.cores", "4").set("spark.executor.memoryOverhead", "384m");
        KindlingException e = assertThrows(KindlingException.class,
                () -> NativeMemoryCheck.check(conf, BIG, 100, 2, 1, "blas"));
        assertTrue(e.getMessage().contains("spark.executor.memoryOverhead=384m"), e.getMessage());
        assertTrue(e.getMessage().contains("4 task(s)"), e.getMessage());
        assertDoesNotThrow(() -> NativeMemoryCheck.check(conf.clone().set("spark.executor.memoryOverhead", "2g"),
                BIG, 100, 2, 1, "blas"));
        assertDoesNotThrow(() -> NativeMemoryCheck.check(conf.clone().set("spark.master", "spark://h:7077"),
                BIG, 100, 2, 1, "blas"), "standalone puts no limit on the executor's process");
        assertDoesNotThrow(() -> NativeMemoryCheck.check(conf.clone().set(NativeMemoryCheck.ENABLED, "false"),
                BIG, 100, 2, 1, "blas"));
    }

    @Test
    void theOverheadIsComputedAsSparkDoes() {
        assertEquals(384L << 20, NativeMemoryCheck.overheadBytes(yarn()));
        assertEquals(800L << 20, NativeMemoryCheck.overheadBytes(yarn().set("spark.executor.memory", "8000m")));
        assertEquals(2048L << 20, NativeMemoryCheck.overheadBytes(yarn().set("spark.executor.memory", "8g")
                .set("spark.executor.memoryOverheadFactor", "0.25")));
        assertEquals(1024L << 20, NativeMemoryCheck.overheadBytes(yarn().set("spark.executor.memoryOverhead", "1g")));
        // Spark 4's floor where the overhead is not set directly: in MiB unless a unit is given
        assertEquals(1000L << 20, NativeMemoryCheck.overheadBytes(yarn().set("spark.executor.minMemoryOverhead", "1000")));
        assertEquals(2048L << 20, NativeMemoryCheck.overheadBytes(yarn().set("spark.executor.minMemoryOverhead", "2g")
                .set("spark.executor.memory", "8g")));
        assertEquals(819L << 20, NativeMemoryCheck.overheadBytes(yarn().set("spark.executor.minMemoryOverhead", "100m")
                .set("spark.executor.memory", "8g")), "0.1 x 8192 MiB, truncated, above the floor");
        assertEquals(512L << 20, NativeMemoryCheck.overheadBytes(yarn().set("spark.executor.minMemoryOverhead", "2g")
                .set("spark.executor.memoryOverhead", "512m")), "the floor is ignored where the overhead is set");
    }

    @Test
    void aRaisedFloorLetsTheJobStart() {
        org.junit.jupiter.api.Assumptions.assumeTrue(BlasBackend.isAvailable());
        SparkConf conf = yarn().set("spark.executor.cores", "4");
        KindlingException e = assertThrows(KindlingException.class,
                () -> NativeMemoryCheck.check(conf, BIG, 100, 2, 1, "blas"));
        assertTrue(e.getMessage().contains("max(384 MiB, 0.1 x spark.executor.memory=1g)"), e.getMessage());
        assertDoesNotThrow(() -> NativeMemoryCheck.check(conf.clone().set("spark.executor.minMemoryOverhead", "2g"),
                BIG, 100, 2, 1, "blas"));
    }

    @Test
    void trainRefusesAtStartBeforeReachingTheCluster() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(BlasBackend.isAvailable());
        TestSpark.stop();
        System.setProperty("spark.executor.cores", "8");
        try {
            Path out = tmp.resolve("run");
            Cli.Result r = run("train", "--data", TestSpark.fashionMnist().toString(), "--out", out.toString(),
                    "--master", "k8s://https://127.0.0.1:9", "--arch", "784-8000-10", "--backend", "blas");
            assertRefused(r, 1, "native memory", "8 task(s)", "spark.executor.memoryOverhead");
            assertTrue(!Files.exists(out.resolve("model")), "nothing written");
        } finally {
            System.clearProperty("spark.executor.cores");
        }
    }
}
