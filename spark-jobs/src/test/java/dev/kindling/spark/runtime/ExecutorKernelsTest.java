package dev.kindling.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kindling.backend.LoopBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutorKernelsTest {
    private static final String SKYLAKE = "OpenBLAS: SkylakeX kernels (AVX-512), chosen by OPENBLAS_CORETYPE=SkylakeX";
    private static final String HASWELL = "OpenBLAS: Haswell kernels (AVX2), chosen by OPENBLAS_CORETYPE=Haswell; "
            + "this CPU has AVX-512: unset OPENBLAS_CORETYPE or set it to SkylakeX for about 1.5-1.7x faster matrix "
            + "products";

    @Test
    void entriesMergeSortedWithoutRepeats() {
        String a = "1\thost-a\t" + SKYLAKE;
        String b = "2\thost-b\t" + SKYLAKE;
        assertNull(ExecutorKernels.merge(null, null));
        assertEquals(a, ExecutorKernels.merge(a, null));
        assertEquals(a, ExecutorKernels.merge(null, a));
        assertEquals(a, ExecutorKernels.merge(a, a));
        String both = ExecutorKernels.merge(b, a);
        assertEquals(a + "\n" + b, both);
        assertEquals(both, ExecutorKernels.merge(both, ExecutorKernels.merge(a, b)));
    }

    @Test
    void executorsThatAgreeAreOneLine() {
        assertEquals(List.of("OpenBLAS on all 3 executors: SkylakeX kernels (AVX-512), chosen by "
                        + "OPENBLAS_CORETYPE=SkylakeX"),
                ExecutorKernels.summary("1\thost-a\t" + SKYLAKE + "\n2\thost-a\t" + SKYLAKE + "\n3\thost-b\t" + SKYLAKE));
        // local masters run the tasks in the driver's JVM, whose environment the launcher set
        assertEquals(List.of("OpenBLAS on the executor (driver): " + HASWELL.substring("OpenBLAS: ".length())),
                ExecutorKernels.summary("driver\tlocalhost\t" + HASWELL));
    }

    @Test
    void executorsThatDifferAreALinePerHostNamingTheExecutorsSetting() {
        List<String> lines = ExecutorKernels.summary("1\thost-a\t" + SKYLAKE + "\n2\thost-a\t" + SKYLAKE
                + "\n3\thost-b\t" + HASWELL);
        assertEquals(List.of("OpenBLAS on host-a (2 executors): " + SKYLAKE.substring("OpenBLAS: ".length()),
                "OpenBLAS on host-b (1 executor): " + HASWELL.substring("OpenBLAS: ".length())
                        + " (through spark.executorEnv.OPENBLAS_CORETYPE)"), lines);
    }

    @Test
    void anotherBackendHasNoEntry() {
        assertNull(ExecutorKernels.entry(new LoopBackend()));
    }
}
