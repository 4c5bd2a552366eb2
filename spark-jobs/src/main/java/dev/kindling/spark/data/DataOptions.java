package dev.kindling.spark.data;

import dev.kindling.UsageException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The data source's options ({@code --data-option KEY=VALUE}, or {@code data-options} in a config
 * file), each parsed and checked where a source reads it, with a message naming the option.
 * Every source reads the options it understands; {@link #checkAllRead} then refuses any given
 * option that the chosen source does not take.
 */
public final class DataOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every option some source reads, for the message about an unknown one. */
    static final Set<String> KNOWN = new TreeSet<>(List.of("format", "height", "width", "channels", "layout",
            "classes", "label-column", "image-column", "image-format", "color", "size", "resize", "invalid-images",
            "test-fraction", "split-seed"));

    private final Map<String, String> values;
    private final Set<String> read = new TreeSet<>();

    public DataOptions(Map<String, String> values) {
        this.values = values == null ? Map.of() : new TreeMap<>(values);
        for (String key : this.values.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new UsageException("data-option: unknown option \"" + key + "\" (known: "
                        + String.join(", ", KNOWN) + ")");
            }
        }
    }

    static DataOptions none() {
        return new DataOptions(Map.of());
    }

    boolean has(String key) {
        read.add(key);
        return values.containsKey(key);
    }

    String string(String key, String fallback) {
        read.add(key);
        String v = values.get(key);
        return v == null ? fallback : v.trim();
    }

    /** One of {@code allowed} (case-insensitive), or {@code fallback} when not given. */
    String choice(String key, String fallback, String... allowed) {
        String v = string(key, fallback).toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return a;
            }
        }
        throw new UsageException("data-option " + key + ": unknown value \"" + values.get(key) + "\" (expected "
                + String.join(", ", allowed) + ")");
    }

    /** A whole number in {@code [min, max]}, or null when not given. */
    Integer integer(String key, int min, int max) {
        String v = string(key, null);
        if (v == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("data-option " + key + ": \"" + v + "\" is not a whole number from " + min
                + " to " + max);
    }

    long longValue(String key, long fallback) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException("data-option " + key + ": \"" + v + "\" is not a whole number");
        }
    }

    /** A number in the open interval (0, 1), or {@code fallback} when not given. */
    double fraction(String key, double fallback) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            double f = Double.parseDouble(v);
            if (f > 0 && f < 1) {
                return f;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("data-option " + key + ": \"" + v + "\" is not a fraction between 0 and 1 "
                + "(exclusive)");
    }

    /** Refuses every given option no source read: it has no meaning for the data at hand. */
    void checkAllRead(String format) {
        List<String> unread = new ArrayList<>();
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                unread.add(key);
            }
        }
        if (!unread.isEmpty()) {
            throw new UsageException("data-option: " + String.join(", ", unread) + " does not apply to "
                    + format + " data");
        }
    }

    /** The options as given, for the run's records. */
    Map<String, String> asMap() {
        return new LinkedHashMap<>(values);
    }
}
