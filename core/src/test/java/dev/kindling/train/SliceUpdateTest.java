package dev.kindling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.optim.LearningRateSchedule;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.optim.WeightDecay;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SliceUpdateTest {
    private static final int N = 1003;
    /** Weights in two ranges with biases between and after, so slices cut through them. */
    private static final int[] WEIGHTS = {0, 400, 410, 500};
    /** Slice bounds that fall inside a weight range, inside the biases, and at the ends. */
    private static final int[] BOUNDS = {0, 1, 333, 405, 777, N};

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"})
    void slicesStepAsTheWholeVector(String name) {
        OptimizerConfig config = OptimizerConfig.of(name);
        LearningRateSchedule schedule = LearningRateSchedule.parse("cosine", 0.01f, 10);
        Optimizer whole = Optimizers.create(config, WEIGHTS);
        float[] params = random(N, 1);
        float[] state = new float[whole.stateSize(N)];
        UpdateStep reference = new UpdateStep(whole, schedule, new WeightDecay(0.05f, WEIGHTS), state, 0);

        float[] sliced = params.clone();
        float[] slicedState = state.clone();
        for (int step = 0; step < 5; step++) {
            float[] grads = random(N, 100 + step);
            float[] slicedGrads = grads.clone();
            reference.apply(params, grads);
            for (int s = 0; s + 1 < BOUNDS.length; s++) {
                int from = BOUNDS[s];
                int to = BOUNDS[s + 1];
                SliceUpdate u = new SliceUpdate(config, schedule, 0.05f, N, WEIGHTS, from, to, slicedState, step);
                float[] p = java.util.Arrays.copyOfRange(sliced, from, to);
                float[] g = java.util.Arrays.copyOfRange(slicedGrads, from, to);
                u.apply(p, g);
                System.arraycopy(p, 0, sliced, from, to - from);
                u.stateInto(slicedState);
                assertEquals(step + 1, u.stepsTaken());
            }
            assertArrayEquals(params, sliced, 1e-6f, name + " parameters after step " + (step + 1));
            assertArrayEquals(state, slicedState, 1e-6f, name + " state after step " + (step + 1));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 399, 400, 405, 900})
    void weightRangesAreCutToTheSlice(int from) {
        int[] cut = SliceUpdate.rangesWithin(WEIGHTS, from, Math.min(N, from + 100));
        int covered = 0;
        for (int r = 0; r < cut.length; r += 2) {
            covered += cut[r + 1];
        }
        int expected = 0;
        for (int i = from; i < Math.min(N, from + 100); i++) {
            boolean weight = i < 400 || (i >= 410 && i < 910);
            expected += weight ? 1 : 0;
        }
        assertEquals(expected, covered);
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
