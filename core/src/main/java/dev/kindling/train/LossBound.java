package dev.kindling.train;

import java.util.Locale;

/**
 * When a loss means the run has diverged: where it is not finite, or where it exceeds
 * {@link #FACTOR} times the run's first loss (taken as at least 1). A finite loss that has
 * exploded (plain SGD at a learning rate of 1e6 reaches 1e24 at chance accuracy) is divergence
 * as much as NaN is. A sane run stays far below the bound: softmax cross-entropy starts near
 * ln(classes) (2.3 for 10 classes), and 1000 times that means the right class gets a
 * probability of e^-2300.
 */
public final class LossBound {
    /** How far above the first loss a loss may go. */
    public static final double FACTOR = 1000;

    private double first = Double.NaN;

    public LossBound() {
    }

    /** A bound that has seen {@code first} already (NaN: none yet), as another process's copy goes on from it. */
    public LossBound(double first) {
        this.first = first;
    }

    /** The first loss seen, or NaN. */
    public double first() {
        return first;
    }

    /** Null where {@code loss} is within the bound, else what is wrong with it (for a message). */
    public String check(double loss) {
        if (!Double.isFinite(loss)) {
            return "loss is " + loss;
        }
        if (Double.isNaN(first)) {
            first = loss;
            return null;
        }
        double bound = FACTOR * Math.max(first, 1);
        if (loss > bound) {
            return String.format(Locale.ROOT, "loss is %.4g, above its bound %.4g (%.0f times the first loss %.4g, "
                    + "or 1 if that is less)", loss, bound, FACTOR, first);
        }
        return null;
    }
}
