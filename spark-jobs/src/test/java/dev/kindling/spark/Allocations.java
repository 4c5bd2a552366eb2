package dev.kindling.spark;

import java.lang.management.ManagementFactory;

/** What the tests' own thread allocates, to show that a step copies no whole data set. */
public final class Allocations {
    private Allocations() {
    }

    /** Bytes this thread has allocated so far (HotSpot's running count). */
    public static long soFar() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Random uint8 images, 28 x 28, labelled 0 to 9: {@code examples} x 784 bytes of pixels. */
    public static dev.kindling.data.Dataset images(int examples, long seed) {
        java.util.Random random = new java.util.Random(seed);
        byte[] pixels = new byte[examples * 784];
        random.nextBytes(pixels);
        byte[] labels = new byte[examples];
        for (int i = 0; i < examples; i++) {
            labels[i] = (byte) random.nextInt(10);
        }
        return new dev.kindling.data.Dataset("random", 1, 28, 28, 10, pixels, labels);
    }
}
