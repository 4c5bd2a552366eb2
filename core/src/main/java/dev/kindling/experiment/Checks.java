package dev.kindling.experiment;

import dev.kindling.KindlingException;

/**
 * Validation of experiment settings. A null value means "use the default", so each default is
 * written once, in the settings record that owns it; errors name the command-line option.
 */
final class Checks {
    private Checks() {
    }

    static int positive(String option, Integer value, int fallback) {
        int v = value == null ? fallback : value;
        if (v <= 0) {
            throw new KindlingException(option + ": " + v + " must be > 0");
        }
        return v;
    }

    static double fraction(String option, Double value, double fallback) {
        double v = value == null ? fallback : value;
        if (!(v > 0 && v < 1)) {
            throw new KindlingException(option + ": " + v + " must be between 0 and 1 (exclusive)");
        }
        return v;
    }
}
