package dev.kindling.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The native and the Vector API backend give the same numbers on the shapes training uses. */
class BackendAgreementTest {

    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4}")
    @CsvSource({
            "false, false, 100, 100, 784",
            "true,  false, 784, 100, 100",
            "false, true,  100, 784, 100",
            "true,  true,  33, 17, 300",
            "false, false, 1, 10, 100",
    })
    void blasAndJavaAgree(boolean transA, boolean transB, int m, int n, int k) {
        Random rnd = new Random(42);
        float[] a = random(rnd, 3 + m * k);
        float[] b = random(rnd, 2 + k * n);
        float[] c0 = random(rnd, 1 + m * n);
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        float[] viaBlas = c0.clone();
        float[] viaJava = c0.clone();
        Backends.create("blas").gemm(transA, transB, m, n, k, 0.9f, a, 3, lda, b, 2, ldb, 0.3f, viaBlas, 1, n);
        Backends.create("java").gemm(transA, transB, m, n, k, 0.9f, a, 3, lda, b, 2, ldb, 0.3f, viaJava, 1, n);
        // Entries are sums of k products of unit Gaussians, so about sqrt(k) in size.
        double tolerance = 1e-6 * k * Math.sqrt(k);
        for (int i = 0; i < viaBlas.length; i++) {
            assertEquals(viaBlas[i], viaJava[i], tolerance, "element " + i);
        }
    }

    /**
     * The thin products that the native backend hands to the Java kernel give what OpenBLAS
     * gives: a 5×5×20 convolution's forward, weight gradient and input gradient on a batch of
     * 100, and ragged variants.
     */
    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4}")
    @CsvSource({
            "false, false, 20, 57600, 25",
            "false, true,  20, 25, 57600",
            "true,  false, 25, 57600, 20",
            "false, false, 7, 1031, 9",
            "true,  false, 9, 1031, 7",
            "false, true,  7, 5, 3001",
    })
    void thinRouteAgreesWithOpenBlas(boolean transA, boolean transB, int m, int n, int k) {
        assertTrue(GemmShapes.runsInJava(transA, transB, m, n, k), "the shape takes the Java route");
        Random rnd = new Random(7);
        float[] a = random(rnd, 3 + m * k);
        float[] b = random(rnd, 2 + k * n);
        float[] c0 = random(rnd, 1 + m * n);
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        float[] routed = c0.clone();
        float[] native_ = c0.clone();
        new BlasBackend().gemm(transA, transB, m, n, k, 0.9f, a, 3, lda, b, 2, ldb, 0.3f, routed, 1, n);
        new BlasBackend(false).gemm(transA, transB, m, n, k, 0.9f, a, 3, lda, b, 2, ldb, 0.3f, native_, 1, n);
        double tolerance = 1e-6 * k * Math.sqrt(k);
        for (int i = 0; i < routed.length; i++) {
            assertEquals(native_[i], routed[i], tolerance, "element " + i);
        }
    }

    /** The rule keeps the dense layers' products, where OpenBLAS is faster, on OpenBLAS. */
    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4}")
    @CsvSource({
            "false, false, 100, 100, 784",
            "true,  false, 784, 100, 100",
            "false, true,  100, 784, 100",
            "false, false, 100, 100, 2880",
            "false, false, 64, 19600, 288",
            "false, true,  64, 288, 19600",
            "false, false, 100, 10, 100",
    })
    void denseShapesStayOnOpenBlas(boolean transA, boolean transB, int m, int n, int k) {
        assertFalse(GemmShapes.runsInJava(transA, transB, m, n, k));
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
