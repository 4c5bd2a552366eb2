package dev.kindling.nn;

/** Reusable activation buffers: grown to the largest batch seen, never shrunk. */
final class Buffers {
    private Buffers() {
    }

    static float[] ensure(float[] buffer, int length) {
        return buffer != null && buffer.length >= length ? buffer : new float[length];
    }
}
