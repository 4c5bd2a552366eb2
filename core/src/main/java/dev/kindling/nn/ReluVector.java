package dev.kindling.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Relu}'s backward loop over whole vectors with the Vector API: a compare and a blend
 * per vector. Java 17's JIT vectorises the plain loop's bit masking only in part; over the
 * 1.15 million outputs of a 5×5×20 convolution on a batch of 100 this loop took 190 µs against
 * the plain loop's 320 (thread CPU time, interleaved, best of 15).
 *
 * <p>It gives the plain loop's bits exactly: dout's where y is above 0 or NaN, +0 elsewhere, so
 * the scalar loop can finish the elements past the last whole vector. This class links against
 * {@code jdk.incubator.vector}; {@link Relu} loads it only where that module is in the boot layer.
 */
final class ReluVector {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private ReluVector() {
    }

    /**
     * dx = y &gt; 0 ? dout : 0 over {@code [0, k)}, k being the largest multiple of the vector
     * length not above n.
     *
     * @return k, where the scalar loop carries on
     */
    static int backward(float[] y, float[] dout, float[] dx, int n) {
        int k = SPECIES.loopBound(n);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int i = 0; i < k; i += SPECIES.length()) {
            FloatVector yv = FloatVector.fromArray(SPECIES, y, i);
            FloatVector.fromArray(SPECIES, dout, i)
                    .blend(zero, yv.compare(VectorOperators.LE, 0f))
                    .intoArray(dx, i);
        }
        return k;
    }
}
