package dev.kindling.optim;

import dev.kindling.backend.Backends;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adam's Vector API loop against the plain float loop it replaces: the same bits, for lengths
 * with no whole vector, whole vectors only, and whole vectors plus a scalar remainder.
 */
class AdamVectorTest {

    @Test
    void theTestJvmHasTheVectorApi() {
        // Otherwise the comparisons below would compare the scalar loop with itself.
        assertTrue(Backends.isVectorApiPresent());
    }

    @Test
    void agreesBitForBitWithThePlainLoop() {
        Random random = new Random(3);
        for (int n : new int[] {1, 7, 16, 17, 64, 100, 1003}) {
            float[] p = new float[n];
            for (int i = 0; i < n; i++) {
                p[i] = (float) random.nextGaussian();
            }
            float[] pRef = p.clone();
            float[] state = new float[2 * n];
            float[] stateRef = new float[2 * n];
            Adam adam = new Adam(0.8f, 0.99f, 1e-6f);
            for (long t = 1; t <= 20; t++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    g[i] = (float) (random.nextGaussian() * (i % 5 == 0 ? 1e-3 : 1));
                }
                float lr = 0.01f * (1 + t % 3);
                adam.update(p, g, state, t, lr);
                plainAdam(pRef, g, stateRef, t, lr, 0.8f, 0.99f, 1e-6f);
                assertArrayEquals(pRef, p, "n " + n + " step " + t);
                assertArrayEquals(stateRef, state, "n " + n + " step " + t);
            }
        }
    }

    /** The scalar loop of Adam.step as it stood before the vector loop, copied here. */
    private static void plainAdam(float[] params, float[] grads, float[] state, long step, float lr,
                                  float beta1, float beta2, float epsilon) {
        int n = params.length;
        float stepSize = (float) (lr / (1.0 - Math.pow(beta1, step)));
        float rootCorrection2 = (float) (1.0 / Math.sqrt(1.0 - Math.pow(beta2, step)));
        for (int i = 0; i < n; i++) {
            float g = grads[i];
            float m = beta1 * state[i] + (1f - beta1) * g;
            float v = beta2 * state[n + i] + (1f - beta2) * g * g;
            state[i] = m;
            state[n + i] = v;
            params[i] -= stepSize * m / ((float) Math.sqrt(v) * rootCorrection2 + epsilon);
        }
    }
}
