package dev.kindling.experiment;

/** Small statistics over recorded curves. */
final class Curves {
    private Curves() {
    }

    /**
     * A centred moving average over {@code window} points (odd), narrowing at both ends so the
     * curve keeps its length. Mini-batch losses jump from batch to batch; the chart needs the trend.
     */
    static double[] smooth(double[] y, int window) {
        int half = window / 2;
        double[] prefix = new double[y.length + 1];
        for (int i = 0; i < y.length; i++) {
            prefix[i + 1] = prefix[i] + y[i];
        }
        double[] s = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            int from = Math.max(0, i - half);
            int to = Math.min(y.length, i + half + 1);
            s[i] = (prefix[to] - prefix[from]) / (to - from);
        }
        return s;
    }

    /** The mean of the last {@code count} values (all of them if there are fewer). */
    static double tailMean(double[] y, int count) {
        return tailMean(y, y.length, count);
    }

    /** The mean of the {@code count} values before index {@code end} (fewer if the curve is shorter). */
    static double tailMean(double[] y, int end, int count) {
        int from = Math.max(0, end - count);
        double sum = 0;
        for (int i = from; i < end; i++) {
            sum += y[i];
        }
        return sum / (end - from);
    }

    /** (x, y) points with x = 1, 2, 3, ...: iterations or epochs, as the charts take them. */
    static double[][] points(double[] y) {
        double[][] p = new double[y.length][];
        for (int i = 0; i < y.length; i++) {
            p[i] = new double[] {i + 1, y[i]};
        }
        return p;
    }
}
