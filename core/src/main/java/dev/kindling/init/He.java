package dev.kindling.init;

/** He (Kaiming) for ReLU: std = sqrt(2 / fanIn), making up for the half that ReLU zeroes. */
public record He() implements Initializer {
    @Override
    public double std(int fanIn) {
        return Math.sqrt(2.0 / fanIn);
    }

    @Override
    public String spec() {
        return "he";
    }
}
