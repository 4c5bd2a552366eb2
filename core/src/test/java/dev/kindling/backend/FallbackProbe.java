package dev.kindling.backend;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.optim.Adam;

/**
 * Run in a child JVM by {@link BackendsTest} with neither the Vector API module nor the
 * OpenBLAS jars: prints what the factory makes of that, one "key=value" per line, and the
 * results of the loops that use the Vector API where it is present (they must still run).
 */
public final class FallbackProbe {
    private FallbackProbe() {
    }

    public static void main(String[] args) {
        System.out.println("auto=" + Backends.create("auto").name());
        System.out.println("java=" + Backends.create("java").name());
        System.out.println("blasAvailable=" + BlasBackend.isAvailable());
        System.out.println("blasReason=" + BlasBackend.unavailableReason());
        try {
            Backends.create("blas");
            System.out.println("blasError=none");
        } catch (KindlingException e) {
            System.out.println("blasError=" + e.getMessage());
        }
        // One Adam step with g = 1 moves every parameter by -lr·1/(1 + eps): the first and the
        // last of 37 print the same.
        float[] params = new float[37];
        float[] grads = new float[37];
        java.util.Arrays.fill(grads, 1f);
        new Adam().update(params, grads, new float[74], 1, 0.01f);
        System.out.println("adamFirst=" + params[0]);
        System.out.println("adamLast=" + params[36]);
        byte[] pixels = new byte[37];
        java.util.Arrays.fill(pixels, (byte) 255);
        float[] x = new float[37];
        new Dataset("probe", 1, 1, 37, 10, pixels, new byte[1]).fillBatch(0, 1, x, null, null);
        System.out.println("pixelFirst=" + x[0]);
        System.out.println("pixelLast=" + x[36]);
        // ReLU's backward passes dout where the output is positive: 37 ones give 37 ones.
        dev.kindling.nn.Relu relu = new dev.kindling.nn.Relu(dev.kindling.nn.Shape.vector(37));
        relu.forward(x, 1, true, null);
        float[] dx = relu.backward(x, 1, true);
        System.out.println("reluFirst=" + dx[0]);
        System.out.println("reluLast=" + dx[36]);
    }
}
