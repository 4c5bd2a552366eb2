package dev.kindling.search;

import dev.kindling.KindlingException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where a hyperparameter's values are drawn from: a log-uniform or uniform range, or a list of
 * choices. Shared by the random searches (the {@code search} experiment and {@code sweep}); a
 * draw takes exactly one number from the generator, so a trial's values do not depend on how
 * many trials come after it.
 */
public sealed interface Distribution {

    Object sample(SplittableRandom random);

    /** The values a grid search takes; ranges have none (a grid needs choices). */
    List<Object> gridValues();

    /** 10^U(log10 low, log10 high): every decade of the range equally likely. */
    record LogUniform(double log10Low, double log10High) implements Distribution {
        public LogUniform {
            if (!Double.isFinite(log10Low) || !Double.isFinite(log10High) || log10Low >= log10High) {
                throw new KindlingException("log-uniform: [1e" + log10Low + ", 1e" + log10High
                        + "] must be an increasing range of positive numbers");
            }
        }

        /** The range [low, high] of positive numbers. */
        public static LogUniform between(double low, double high) {
            if (!(low > 0) || !(high > low) || Double.isInfinite(high)) {
                throw new KindlingException("log-uniform: [" + low + ", " + high
                        + "] must be an increasing range of positive numbers");
            }
            return new LogUniform(Math.log10(low), Math.log10(high));
        }

        @Override
        public Double sample(SplittableRandom random) {
            return Math.pow(10, random.nextDouble(log10Low, log10High));
        }

        @Override
        public List<Object> gridValues() {
            return List.of();
        }
    }

    /** U(low, high). */
    record Uniform(double low, double high) implements Distribution {
        public Uniform {
            if (!Double.isFinite(low) || !Double.isFinite(high) || low >= high) {
                throw new KindlingException("uniform: [" + low + ", " + high + "] must be an increasing range");
            }
        }

        @Override
        public Double sample(SplittableRandom random) {
            return random.nextDouble(low, high);
        }

        @Override
        public List<Object> gridValues() {
            return List.of();
        }
    }

    /** One of the listed values, each equally likely; a grid takes them all. */
    record Choice(List<Object> values) implements Distribution {
        public Choice {
            if (values == null || values.isEmpty()) {
                throw new KindlingException("choice: needs at least one value");
            }
            values = List.copyOf(values);
        }

        @Override
        public Object sample(SplittableRandom random) {
            return values.get(random.nextInt(values.size()));
        }

        @Override
        public List<Object> gridValues() {
            return values;
        }
    }
}
