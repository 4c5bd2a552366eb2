package dev.kindling.bench.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kindling.backend.Backends;
import org.junit.jupiter.api.Test;

class GemmShapeTest {

    @Test
    void shapesAreFoundByIdAndCountTheirFlops() {
        assertEquals(GemmShape.MLP_FWD, GemmShape.byId("mlp-fwd"));
        assertEquals(2.0 * 100 * 100 * 784, GemmShape.MLP_FWD.flops());
        assertEquals("784×100×100 Aᵀ", GemmShape.MLP_DW.dims());
        assertThrows(IllegalArgumentException.class, () -> GemmShape.byId("nope"));
    }

    @Test
    void everyShapeRunsThroughTheBenchmarkOnce() {
        GemmBenchmark b = new GemmBenchmark();
        b.backend = Backends.resolve("java");
        for (GemmShape s : GemmShape.values()) {
            if (s == GemmShape.SQUARE_1024) {
                continue; // a second on the plain loop backend; the argument checks are the same
            }
            b.shape = s.id();
            b.setUp();
            assertEquals(s.m() * s.n(), b.gemm().length, s.id());
        }
    }
}
