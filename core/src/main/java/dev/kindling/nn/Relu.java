package dev.kindling.nn;

import dev.kindling.backend.Backends;

/** max(0, x); the gradient passes where the output is positive. */
public final class Relu extends Activation {
    /** Whether {@link ReluVector} can load; without the module the loop below does it all. */
    private static final boolean VECTOR_API = Backends.isVectorApiPresent();

    public Relu(Shape shape) {
        super(shape);
    }

    @Override
    void forward(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = Math.max(x[i], 0f);
        }
    }

    /**
     * {@code dx = y > 0 ? dout : 0}, written without a branch so that the JIT vectorises it:
     * the branch is taken at random, and mispredicting it made this loop cost as much as the
     * convolution (16 times what the loop below takes). The output y is never negative, so as
     * an int its bits are positive exactly where y > 0; {@code -bits >> 31} is then all ones,
     * and 0 where y is 0, and it masks the bits of dout. (Only a NaN output, which ends training
     * anyway, can tell the two apart.) Where the Vector API is present, {@link ReluVector}
     * does all but the last partial vector, with the same result.
     */
    @Override
    void backward(float[] dout, float[] dx, int n) {
        int done = VECTOR_API ? ReluVector.backward(y, dout, dx, n) : 0;
        for (int i = done; i < n; i++) {
            int passes = -Float.floatToRawIntBits(y[i]) >> 31;
            dx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dout[i]) & passes);
        }
    }
}
