package dev.kindling.init;

import dev.kindling.KindlingException;
import java.util.random.RandomGenerator;

/**
 * How a layer's initial weights are drawn: zero-mean Gaussian with a standard deviation that
 * depends on the fan-in. Biases always start at zero.
 */
public interface Initializer {

    /** Standard deviation for a weight with this many inputs per output unit. */
    double std(int fanIn);

    /** The spelling used on the command line and in model files. */
    String spec();

    default void fill(float[] w, int offset, int length, int fanIn, RandomGenerator rng) {
        double std = std(fanIn);
        for (int i = 0; i < length; i++) {
            w[offset + i] = (float) (rng.nextGaussian() * std);
        }
    }

    /**
     * Parses "gaussian" (std 0.01), "gaussian:0.05", "xavier" or "he".
     *
     * @param field the config field being parsed, named in errors
     */
    static Initializer parse(String field, String spec) {
        if (spec == null) {
            throw new KindlingException(field + ": missing (expected gaussian[:std], xavier or he)");
        }
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("he")) {
            return new He();
        }
        if (s.equals("xavier")) {
            return new Xavier();
        }
        if (s.equals("gaussian")) {
            return new Gaussian(Gaussian.DEFAULT_STD);
        }
        if (s.startsWith("gaussian:")) {
            String value = s.substring("gaussian:".length());
            try {
                return new Gaussian(Double.parseDouble(value));
            } catch (NumberFormatException e) {
                throw new KindlingException(field + ": \"" + spec + "\" has a std that is not a number");
            }
        }
        throw new KindlingException(field + ": unknown value \"" + spec
                + "\" (expected gaussian[:std], xavier or he)");
    }
}
