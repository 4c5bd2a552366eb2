package dev.kindling.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every backend against a double-precision reference GEMM. */
class GemmTest {

    private static final String[] BACKENDS = {"blas", "java", "loop"};

    /** (m, n, k): odd sizes, vectors, and the shapes of a 784-100 dense layer on a batch of 100. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 3, 17}, {3, 1, 33}, {17, 33, 1}, {3, 3, 3}, {17, 17, 17},
            {33, 17, 3}, {33, 33, 33}, {1, 784, 100}, {100, 1, 784}, {784, 3, 17},
            {100, 100, 784}, {784, 100, 100}, {100, 784, 100}, {37, 45, 600},
            // thin products, which the native backend hands to the Java kernel where the Vector
            // API is present: wide untransposed B, and (transposed B) deep dot products with
            // ragged row and column blocks and a depth that is no whole number of vectors
            {20, 1500, 25}, {5, 7, 1100}, {9, 3, 2100},
    };

    /** (alpha, beta) pairs; beta = 0 runs with NaN in C. */
    private static final float[][] SCALES = {{1f, 0f}, {0.5f, -1.25f}, {-2f, 1f}, {1.5f, 0f}};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        int index = 0;
        for (String backend : BACKENDS) {
            for (int[] s : SHAPES) {
                for (int t = 0; t < 4; t++) {
                    float[] scale = SCALES[index % SCALES.length];
                    // Leading dimensions: packed, a little wider, and over twice the row, which
                    // takes the native backend down its row-by-row copy path.
                    int gap = index % 3 == 0 ? 0 : index % 3 == 1 ? 3 : 2 * Math.max(s[0], Math.max(s[1], s[2])) + 1;
                    cases.add(Arguments.of(backend, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2],
                            scale[0], scale[1], gap, 1000L + index));
                    index++;
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2} m={3} n={4} k={5} alpha={6} beta={7} gap={8}")
    @MethodSource("cases")
    void matchesReference(String backend, boolean transA, boolean transB, int m, int n, int k,
                          float alpha, float beta, int gap, long seed) {
        new GemmReference(transA, transB, m, n, k, alpha, beta, gap, seed).check(Backends.create(backend));
    }

    @ParameterizedTest
    @ValueSource(strings = {"blas", "java", "loop"})
    void reusedInstanceHandlesShrinkingAndGrowingShapes(String name) {
        Backend backend = Backends.create(name);
        int[][] shapes = {{100, 100, 784}, {3, 5, 7}, {300, 200, 400}, {1, 1, 1}, {64, 64, 64}};
        long seed = 1;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                new GemmReference((t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 0.75f, 0.5f,
                        t == 3 ? 5 : 0, seed++).check(backend);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blas", "java", "loop"})
    void zeroDepthScalesC(String name) {
        float[] c = {1f, 2f, 3f, 4f, 5f, 6f};
        Backends.create(name).gemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[2], 0, 2,
                0.5f, c, 1, 3);
        assertArrayEquals(new float[] {1f, 1f, 1.5f, 4f, 2.5f, 3f}, c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"blas", "java", "loop"})
    void emptyOutputIsANoOp(String name) {
        float[] c = {1f, 2f};
        Backends.create(name).gemm(false, false, 0, 2, 3, 1f, new float[0], 0, 3, new float[6], 0, 2,
                0f, c, 0, 2);
        assertArrayEquals(new float[] {1f, 2f}, c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"blas", "java", "loop"})
    void rejectsViewsOutsideTheArray(String name) {
        Backend backend = Backends.create(name);
        float[] a = new float[6];
        float[] b = new float[6];
        float[] c = new float[4];
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                () -> backend.gemm(false, false, 2, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2));
        assertTrue(tooShort.getMessage().contains("A"), tooShort.getMessage());
        IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class,
                () -> backend.gemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 1));
        assertTrue(narrow.getMessage().contains("leading dimension of C"), narrow.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"blas", "java", "loop"})
    void instancesOnSeparateThreadsDoNotInterfere(String name) throws Exception {
        // Spark runs one task per core in the same JVM, each with its own backend instance,
        // all calling into the one native library at the same time.
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                long seed = 500 + t;
                runs.add(pool.submit(() -> {
                    Backend backend = Backends.create(name);
                    for (int r = 0; r < 8; r++) {
                        new GemmReference(r % 2 == 0, r % 3 == 0, 64 + r, 50 + 3 * r, 120 - r, 1f, 0.5f,
                                r % 2, seed * 31 + r).check(backend);
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void largeSquareMatchesReferenceOnEveryBackend() {
        for (String name : BACKENDS) {
            new GemmReference(true, false, 260, 130, 530, 1f, 0f, 0, 7).check(Backends.create(name));
        }
    }
}
