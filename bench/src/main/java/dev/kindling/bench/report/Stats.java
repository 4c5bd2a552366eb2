package dev.kindling.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median and min–max of a sample; the report's one way of summarising repeats. */
record Stats(double median, double min, double max, int count) {

    static Stats of(List<Double> values) {
        List<Double> v = new ArrayList<>();
        for (Double d : values) {
            if (d != null && !d.isNaN()) {
                v.add(d);
            }
        }
        if (v.isEmpty()) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        Collections.sort(v);
        int n = v.size();
        double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        return new Stats(median, v.get(0), v.get(n - 1), n);
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** "median (min–max)" with the given format for each number, or "—" when empty. */
    String format(String numberFormat) {
        if (isEmpty()) {
            return "—";
        }
        String m = String.format(Locale.ROOT, numberFormat, median);
        if (count == 1) {
            return m;
        }
        return m + " (" + String.format(Locale.ROOT, numberFormat, min) + "–"
                + String.format(Locale.ROOT, numberFormat, max) + ")";
    }
}
