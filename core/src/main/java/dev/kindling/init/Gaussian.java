package dev.kindling.init;

import dev.kindling.KindlingException;

/** A fixed standard deviation, whatever the layer's size: the textbook's 0.01 by default. */
public record Gaussian(double stdDev) implements Initializer {
    public static final double DEFAULT_STD = 0.01;

    public Gaussian {
        if (!(stdDev > 0) || Double.isInfinite(stdDev)) {
            throw new KindlingException("init: gaussian std " + stdDev + " must be a finite number > 0");
        }
    }

    @Override
    public double std(int fanIn) {
        return stdDev;
    }

    @Override
    public String spec() {
        return stdDev == DEFAULT_STD ? "gaussian" : "gaussian:" + stdDev;
    }
}
