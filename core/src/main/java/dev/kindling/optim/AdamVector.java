package dev.kindling.optim;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Adam}'s update loop over whole vectors with the Vector API. Java 17's JIT does not
 * vectorise the plain loop: it writes {@code state[i]} and {@code state[n + i]}, two indices
 * into one array that its superword pass cannot prove apart, and so leaves a scalar square root
 * and division per parameter (about 20 times slower over the MLP's 80,000 parameters). The
 * other optimizers keep their moments in state[i] alone, and their plain loops vectorise.
 *
 * <p>Every expression is the scalar loop's, in the same order and without fused multiply-adds,
 * so the two agree bit for bit and the scalar loop can finish the elements past the last whole
 * vector. This class links against {@code jdk.incubator.vector}; {@link Adam} loads it only
 * where that module is in the boot layer.
 */
final class AdamVector {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private AdamVector() {
    }

    /**
     * Updates parameters {@code [0, k)} and their state, k being the largest multiple of the
     * vector length not above {@code params.length}.
     *
     * @return k, where the scalar loop carries on
     */
    static int step(float[] params, float[] grads, float[] state, float beta1, float oneMinusBeta1,
                    float beta2, float oneMinusBeta2, float stepSize, float rootCorrection2, float epsilon) {
        int n = params.length;
        int k = SPECIES.loopBound(n);
        for (int i = 0; i < k; i += SPECIES.length()) {
            FloatVector g = FloatVector.fromArray(SPECIES, grads, i);
            FloatVector m = FloatVector.fromArray(SPECIES, state, i).mul(beta1).add(g.mul(oneMinusBeta1));
            FloatVector v = FloatVector.fromArray(SPECIES, state, n + i).mul(beta2)
                    .add(g.mul(oneMinusBeta2).mul(g));
            m.intoArray(state, i);
            v.intoArray(state, n + i);
            FloatVector update = m.mul(stepSize).div(v.sqrt().mul(rootCorrection2).add(epsilon));
            FloatVector.fromArray(SPECIES, params, i).sub(update).intoArray(params, i);
        }
        return k;
    }
}
