package dev.kindling.bench.machine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures one core's fp32 FMA throughput: twelve independent chains of vector FMAs at the
 * widest width the JVM offers, enough in flight to cover an FMA's latency on two units.
 * A cross-check of the peak computed from the clock; needs {@code jdk.incubator.vector}, so
 * {@link Machine} reaches it by reflection only where that module is present.
 */
public final class FmaProbe {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static volatile float sink;

    private FmaProbe() {
    }

    /** Best-of-{@code trials} GFLOP/s; each trial takes about 0.05–0.1 s. */
    public static double gflops(int trials) {
        int iterations = 10_000_000;
        sink += chains(iterations / 10); // compile before timing
        double best = 0;
        for (int t = 0; t < trials; t++) {
            long start = System.nanoTime();
            sink += chains(iterations);
            long nanos = System.nanoTime() - start;
            best = Math.max(best, 2.0 * 12 * S.length() * iterations / nanos);
        }
        return best;
    }

    /** fp32 lanes of the vectors the probe used. */
    public static int lanes() {
        return S.length();
    }

    private static float chains(int iterations) {
        FloatVector a0 = FloatVector.broadcast(S, 1f);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector a7 = a0;
        FloatVector a8 = a0;
        FloatVector a9 = a0;
        FloatVector a10 = a0;
        FloatVector a11 = a0;
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-7f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
