package dev.kindling.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cuBLAS GEMM against the double-precision reference on every shape, transposition, scale and
 * layout GemmTest gives the CPU backends, and with the parameter vector as an operand (the copy
 * kept on the device). Needs an NVIDIA GPU; elsewhere every test reports as skipped, saying why.
 */
@Tag("gpu")
class CudaGemmTest {

    @BeforeEach
    void needsAGpu() {
        assumeTrue(CudaBackend.isAvailable(), "no CUDA GPU here: " + CudaBackend.unavailableReason());
    }

    static Stream<Arguments> cases() {
        return GemmTest.cases().filter(a -> a.get()[0].equals("blas")).map(a -> {
            Object[] args = a.get().clone();
            args[0] = "cuda";
            return Arguments.of(args);
        });
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2} m={3} n={4} k={5} alpha={6} beta={7} gap={8}")
    @MethodSource("cases")
    void matchesReference(String backend, boolean transA, boolean transB, int m, int n, int k,
                          float alpha, float beta, int gap, long seed) {
        new GemmReference(transA, transB, m, n, k, alpha, beta, gap, seed).check(Backends.create(backend));
    }

    /**
     * The parameter vector as A (a dense layer's forward) and as B, at an offset, read from the
     * device copy; then changed on the host and read again after the next pass begins.
     */
    @Test
    void parametersAreReadFromTheDeviceCopyAndRefreshedEachPass() {
        Random rnd = new Random(5);
        int m = 64;
        int n = 48;
        int k = 96;
        float[] params = random(rnd, 17 + k * n + 3);
        float[] x = random(rnd, m * k);
        Backend cuda = Backends.create("cuda");
        Backend blas = Backends.create("blas");
        for (int pass = 0; pass < 2; pass++) {
            cuda.beginPass(params);
            float[] onGpu = new float[m * n];
            float[] onCpu = new float[m * n];
            cuda.gemm(false, false, m, n, k, 1f, x, 0, k, params, 17, n, 0f, onGpu, 0, n);
            blas.gemm(false, false, m, n, k, 1f, x, 0, k, params, 17, n, 0f, onCpu, 0, n);
            assertClose(onCpu, onGpu, k);
            float[] t = new float[n * m];
            float[] tc = new float[n * m];
            cuda.gemm(true, true, n, m, k, 0.5f, params, 17, n, x, 0, k, 0f, t, 0, m);
            blas.gemm(true, true, n, m, k, 0.5f, params, 17, n, x, 0, k, 0f, tc, 0, m);
            assertClose(tc, t, k);
            for (int i = 0; i < params.length; i++) {
                params[i] = -params[i] * 0.5f + 0.25f;
            }
        }
    }

    @Test
    void saysWhatItRunsOn() {
        CudaBackend cuda = (CudaBackend) Backends.create("cuda", java.util.OptionalInt.of(0));
        assertEquals("cuda", cuda.name());
        assertEquals("cuda", Backends.resolve("auto", java.util.OptionalInt.of(0)));
        assertEquals("blas", Backends.resolve("auto"), "auto without an assigned GPU stays on the CPU");
        cuda.gemm(false, false, 2, 2, 2, 1f, new float[4], 0, 2, new float[4], 0, 2, 0f, new float[4], 0, 2);
        org.junit.jupiter.api.Assertions.assertTrue(cuda.deviceBytes() > 0 && cuda.nativeBytes() > 0, "buffers held");
    }

    static void assertClose(float[] expected, float[] actual, int k) {
        double tolerance = 1e-6 * k * Math.sqrt(k);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }

    static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
