package dev.kindling.nn;

/** Reusable activation buffers: grown to the largest batch seen, never shrunk. */
final class Buffers {
    private Buffers() {
    }

    static float[] ensure(float[] buffer, int length) {
        return buffer != null && buffer.length >= length ? buffer : new float[length];
    }

    /**
     * (y − t)·scale into a reused buffer: the gradient of both fused output/loss pairs, which
     * the textbook pairs precisely so that backward comes out this simple.
     */
    static float[] scaledDifference(float[] y, float[] t, int n, float scale, float[] into) {
        float[] d = ensure(into, n);
        for (int i = 0; i < n; i++) {
            d[i] = (y[i] - t[i]) * scale;
        }
        return d;
    }
}
