package dev.kindling.data;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Dataset}'s pixel scaling, {@code (pixel & 0xFF) / 255f}, over whole vectors with the
 * Vector API: bytes widened to ints, masked to unsigned, converted and divided, the same
 * operations as the scalar table's entries, so the two agree bit for bit. The JIT does not
 * vectorise the table lookup, and filling a batch took a fifth of the MLP's training step.
 *
 * <p>This class links against {@code jdk.incubator.vector}; {@link Dataset} loads it only where
 * that module is in the boot layer.
 */
final class PixelsVector {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);
    /** As many byte lanes as there are float lanes, in a vector that many bytes wide. */
    private static final VectorSpecies<Byte> BYTES =
            ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(FLOATS.length() * Byte.SIZE));

    private PixelsVector() {
    }

    /**
     * Writes {@code x[dst + f] = (pixels[src + f] & 0xFF) / 255f} for f in [0, k), k being the
     * largest multiple of the vector length not above {@code count}.
     *
     * @return k, where the scalar loop carries on
     */
    static int scale(byte[] pixels, int src, float[] x, int dst, int count) {
        int k = FLOATS.loopBound(count);
        for (int f = 0; f < k; f += FLOATS.length()) {
            ((FloatVector) ByteVector.fromArray(BYTES, pixels, src + f)
                    .convertShape(VectorOperators.B2I, INTS, 0)
                    .lanewise(VectorOperators.AND, 0xFF)
                    .convertShape(VectorOperators.I2F, FLOATS, 0))
                    .div(255f)
                    .intoArray(x, dst + f);
        }
        return k;
    }
}
