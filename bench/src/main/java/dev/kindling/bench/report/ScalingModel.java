package dev.kindling.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * Scaling on paper: a round's time on E executors predicted from costs measured on this
 * machine, and the speedup over one core that follows.
 *
 * <pre>
 *   T(E) = k·b·c + L + l·E + 4·P·(1 + E) / BW        t1 = k·b·c        speedup(E) = E·t1 / T(E)
 * </pre>
 * c: compute per example on one executor core; b: examples per executor per optimizer step
 * (100); k: optimizer steps per round (1 in sync mode, 10 in local mode); P: parameters;
 * L, l, BW: the fixed latency of a round, the extra cost per task, and the effective bandwidth
 * of the driver, fitted to the measured round overheads ({@link #fit}).
 */
final class ScalingModel {
    static final int[] EXECUTORS = {4, 8, 16, 32, 64};
    static final int PER_EXECUTOR_BATCH = 100;
    /** 10 Gbit/s at the driver, in bytes per millisecond. */
    static final double TEN_GBE = 1.25e9 / 1000;

    private ScalingModel() {
    }

    record Workload(String name, long parameters, double computeMsPerExample) {
    }

    /** overhead_ms ≈ latencyMs + perTaskMs × partitions + bytes / bytesPerMs. */
    record Fit(double latencyMs, double perTaskMs, double bytesPerMs, boolean perTaskFitted, int points) {
        String describe() {
            return String.format(Locale.ROOT, "L = %.1f ms, l = %s, BW = %.2f GB/s (%d rows%s)", latencyMs,
                    perTaskFitted ? String.format(Locale.ROOT, "%.2f ms per partition", perTaskMs)
                            : "0 (one partition count measured)",
                    bytesPerMs * 1000 / 1e9, points, perTaskFitted ? "" : "; l not identifiable");
        }

        double overheadMs(long parameters, int executors, double bandwidth) {
            return latencyMs + perTaskMs * executors + 4.0 * parameters * (1 + executors) / bandwidth;
        }
    }

    /**
     * Kindling merges partial results in one direct job up to this many partitions; above it
     * treeAggregate adds a stage (Spark's rule at depth 2), a different cost the model leaves out.
     */
    static final int DIRECT_MERGE_MAX_PARTITIONS = 4;

    /**
     * Least squares over the "rounds" lines with a direct merge; null when there are too few to
     * fit. A fixed latency cannot be negative: where the free fit says so, it is refitted at 0.
     */
    static Fit fit(List<JsonNode> all) {
        List<JsonNode> rows = all.stream()
                .filter(n -> n.path("partitions").asInt() <= DIRECT_MERGE_MAX_PARTITIONS).toList();
        Fit free = fit(rows, true);
        return free != null && free.latencyMs() < 0 ? fit(rows, false) : free;
    }

    private static Fit fit(List<JsonNode> rows, boolean withLatency) {
        if (rows.size() < 2) {
            return null;
        }
        boolean perTask = rows.stream().mapToInt(n -> n.path("partitions").asInt()).distinct().count() > 1;
        int first = withLatency ? 0 : 1;
        int m = (perTask ? 3 : 2) - first;
        double[][] ata = new double[m][m];
        double[] aty = new double[m];
        for (JsonNode n : rows) {
            int p = n.path("partitions").asInt();
            double bytes = 4.0 * n.path("parameters").asLong() * (1 + p);
            double[] full = perTask ? new double[] {1, p, bytes} : new double[] {1, bytes};
            double[] x = java.util.Arrays.copyOfRange(full, first, full.length);
            double y = n.path("overhead_ms").asDouble();
            for (int i = 0; i < m; i++) {
                aty[i] += x[i] * y;
                for (int j = 0; j < m; j++) {
                    ata[i][j] += x[i] * x[j];
                }
            }
        }
        double[] beta = solve(ata, aty);
        if (beta == null) {
            return null;
        }
        double perByte = beta[m - 1];
        if (perByte <= 0) {
            return null;
        }
        double latency = withLatency ? beta[0] : 0;
        double perTaskMs = perTask ? beta[1 - first] : 0;
        return new Fit(latency, perTaskMs, 1 / perByte, perTask, rows.size());
    }

    /** Gaussian elimination with partial pivoting; null when singular. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = new double[n + 1];
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n] = b[i];
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = m[c];
            m[c] = m[pivot];
            m[pivot] = t;
            if (Math.abs(m[c][c]) < 1e-300) {
                return null;
            }
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = m[r][c] / m[c][c];
                    for (int k = c; k <= n; k++) {
                        m[r][k] -= f * m[c][k];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = m[i][n] / m[i][i];
        }
        return x;
    }

    static double speedup(Workload w, Fit fit, int executors, int steps, double bandwidth) {
        double compute = steps * PER_EXECUTOR_BATCH * w.computeMsPerExample();
        return executors * compute / (compute + fit.overheadMs(w.parameters(), executors, bandwidth));
    }

    static void markdown(StringBuilder out, Fit fit, List<Workload> models) {
        double network = Math.min(fit.bytesPerMs(), TEN_GBE);
        out.append("## Scaling on paper\n\n");
        out.append("Predicted speedup over one core without Spark, at E executors of one core each, from the costs "
                + "measured above: T(E) = k·b·c + L + l·E + 4·P·(1 + E) / BW per round, speedup = E·k·b·c / T(E). "
                + "c: compute per example on one executor core (the slowest task's compute over its examples, "
                + "Kindling sync rounds on `local[2]`); P: parameters; ")
                .append(fit.describe()).append(" from the round-overhead fit.\n\nAssumptions: weak scaling, "
                + "b = ").append(PER_EXECUTOR_BATCH).append(" examples per executor per optimizer step (the global "
                + "batch grows with E), k = 1 step per round (sync) or 10 (local); the driver sends the parameters "
                + "once and receives one partial result per executor (Kindling's direct merge), at the fitted BW "
                + "and, in the \"10 GbE\" rows, at min(BW, 1.25 GB/s) for a 10 Gbit/s driver link; L and l stay as "
                + "measured on this machine (loopback, no network latency); executors are alike (no stragglers); "
                + "and the same accuracy per example seen, which a larger global batch does not guarantee "
                + "(statistical efficiency is not modelled).\n\n");
        out.append("| model | parameters | c, ms per example | mode | link |");
        for (int e : EXECUTORS) {
            out.append(" E = ").append(e).append(" |");
        }
        out.append("\n|---|---:|---:|---|---|");
        for (int ignored : EXECUTORS) {
            out.append("---:|");
        }
        out.append('\n');
        for (Workload w : models) {
            for (int steps : new int[] {1, 10}) {
                for (boolean tenGbE : new boolean[] {false, true}) {
                    out.append("| ").append(w.name()).append(" | ")
                            .append(String.format(Locale.ROOT, "%,d", w.parameters())).append(" | ")
                            .append(String.format(Locale.ROOT, "%.4f", w.computeMsPerExample())).append(" | ")
                            .append(steps == 1 ? "sync" : "local, 10 steps").append(" | ")
                            .append(tenGbE ? "10 GbE" : "fitted BW").append(" |");
                    for (int e : EXECUTORS) {
                        out.append(String.format(Locale.ROOT, " %.1f× |",
                                speedup(w, fit, e, steps, tenGbE ? network : fit.bytesPerMs())));
                    }
                    out.append('\n');
                }
            }
        }
        out.append('\n');
    }
}
