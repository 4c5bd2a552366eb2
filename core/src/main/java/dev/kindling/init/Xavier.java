package dev.kindling.init;

/** Xavier (Glorot) as the textbook gives it for sigmoid and tanh: std = sqrt(1 / fanIn). */
public record Xavier() implements Initializer {
    @Override
    public double std(int fanIn) {
        return Math.sqrt(1.0 / fanIn);
    }

    @Override
    public String spec() {
        return "xavier";
    }
}
