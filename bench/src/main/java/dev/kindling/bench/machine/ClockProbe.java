package dev.kindling.bench.machine;

/**
 * Estimates the clock a core actually runs at, where no cycle counter is readable (a virtual
 * machine's {@code /proc/cpuinfo} reports the host's nominal or TSC rate, not boost).
 *
 * <p>The loop is one dependent chain of a shift and an add per step; both have one cycle of
 * latency on every x86 core of the last decade, so a step costs two cycles and nothing can
 * overlap across steps. Cycles per second = 2 × steps / seconds. Interference from other
 * processes only lowers the figure, so the best of several trials is kept.
 */
public final class ClockProbe {
    private static volatile long sink;

    private ClockProbe() {
    }

    /** Best-of-{@code trials} estimate in GHz; each trial takes about 0.05 s. */
    public static double estimateGhz(int trials) {
        int steps = 200_000_000;
        chain(1, steps / 10); // compile before timing
        double best = 0;
        for (int t = 0; t < trials; t++) {
            long start = System.nanoTime();
            sink += chain(t, steps / 2);
            long nanos = System.nanoTime() - start;
            best = Math.max(best, 2.0 * (steps / 2) / nanos);
        }
        return best;
    }

    private static long chain(long x, int steps) {
        for (int i = 0; i < steps; i++) {
            x = x + (x >>> 7);
        }
        return x;
    }
}
