package dev.kindling.optim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One suite, run over every optimizer the factory knows. */
class OptimizerSuiteTest {
    private static final int N = 8;
    // Indices 3 and 7 play the biases: AdamW must leave them undecayed.
    private static final int[] WEIGHT_RANGES = {0, 3, 4, 3};

    private static final Map<String, Integer> STATE_FLOATS_PER_PARAMETER = Map.of(
            "sgd", 0, "momentum", 1, "nesterov", 1, "adagrad", 1, "rmsprop", 1, "adam", 2,
            "adamw", 2);

    // Rates that suit each rule on the quadratic below; a cosine takes them down to 0 so the
    // adaptive rules, whose steps do not shrink with the gradient, settle too.
    private static final Map<String, Float> QUADRATIC_RATES = Map.of(
            "sgd", 0.1f, "momentum", 0.05f, "nesterov", 0.05f, "adagrad", 0.5f,
            "rmsprop", 0.05f, "adam", 0.05f, "adamw", 0.05f);

    static Stream<String> names() {
        return Optimizers.NAMES.stream();
    }

    private static Optimizer create(String name) {
        return Optimizers.create(name, WEIGHT_RANGES);
    }

    @ParameterizedTest
    @MethodSource("names")
    void minimisesAConvexQuadratic(String name) {
        Optimizer optimizer = create(name);
        // f(p) = sum a_i (p_i - c_i)^2, so df/dp_i = 2 a_i (p_i - c_i).
        double[] a = new double[N];
        double[] c = new double[N];
        for (int i = 0; i < N; i++) {
            a[i] = 0.5 + 0.25 * i;
            c[i] = 0.5 * (i - 3.5);
        }
        float[] p = new float[N];
        float[] g = new float[N];
        float[] state = new float[optimizer.stateSize(N)];
        int steps = 2000;
        LearningRateSchedule schedule =
                LearningRateSchedule.cosine(QUADRATIC_RATES.get(name), 0f, steps);
        for (long t = 1; t <= steps; t++) {
            for (int i = 0; i < N; i++) {
                g[i] = (float) (2 * a[i] * (p[i] - c[i]));
            }
            optimizer.update(p, g, state, t, schedule.rate(t));
        }
        // AdamW's decay pulls weights towards 0, so its minimum sits a little inside c.
        double tolerance = name.equals("adamw") ? 1e-2 : 1e-4;
        for (int i = 0; i < N; i++) {
            assertEquals(c[i], p[i], tolerance, name + " p[" + i + "]");
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void matchesTheDoublePrecisionReference(String name) {
        Optimizer optimizer = create(name);
        References.Reference reference = References.of(name, N, WEIGHT_RANGES);
        Random random = new Random(42);
        float[] p = new float[N];
        double[] pRef = new double[N];
        for (int i = 0; i < N; i++) {
            p[i] = (float) random.nextGaussian();
            pRef[i] = p[i];
        }
        float[] state = new float[optimizer.stateSize(N)];
        float[] g = new float[N];
        double[] gRef = new double[N];
        for (long t = 1; t <= 10; t++) {
            for (int i = 0; i < N; i++) {
                g[i] = (float) random.nextGaussian();
                gRef[i] = g[i];
            }
            // A rate that changes every step, as under a schedule.
            float lr = 0.01f * (1 + t % 3);
            optimizer.update(p, g, state, t, lr);
            reference.update(pRef, gRef, t, lr);
            for (int i = 0; i < N; i++) {
                assertEquals(pRef[i], p[i], 1e-5 * (1 + Math.abs(pRef[i])),
                        name + " step " + t + " p[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void restoredStateRepeatsTheRunExactly(String name) {
        Optimizer optimizer = create(name);
        Random random = new Random(7);
        float[] p = randomVector(random);
        float[] state = new float[optimizer.stateSize(N)];
        float[][] grads = new float[10][];
        for (int t = 0; t < grads.length; t++) {
            grads[t] = randomVector(random);
        }
        for (int t = 1; t <= 5; t++) {
            optimizer.update(p, grads[t - 1].clone(), state, t, 0.01f);
        }
        float[] savedParams = p.clone();
        float[] savedState = state.clone();
        for (int t = 6; t <= 10; t++) {
            optimizer.update(p, grads[t - 1].clone(), state, t, 0.01f);
        }
        float[] firstParams = p.clone();
        float[] firstState = state.clone();

        p = savedParams.clone();
        state = savedState.clone();
        for (int t = 6; t <= 10; t++) {
            optimizer.update(p, grads[t - 1].clone(), state, t, 0.01f);
        }
        assertArrayEquals(firstParams, p, name);
        assertArrayEquals(firstState, state, name);
        assertNotEquals(savedParams[0], p[0], name + " should have moved");
    }

    @ParameterizedTest
    @MethodSource("names")
    void stateSizeFitsTheRule(String name) {
        Optimizer optimizer = create(name);
        int perParameter = STATE_FLOATS_PER_PARAMETER.get(name);
        assertEquals(0, optimizer.stateSize(0), name);
        assertEquals(perParameter * 1000, optimizer.stateSize(1000), name);
        assertEquals(name, optimizer.name());
    }

    @ParameterizedTest
    @MethodSource("names")
    void zeroGradientFromZeroStateLeavesParametersAlone(String name) {
        // Guards the eps placement: a zero denominator would make NaN here.
        Optimizer optimizer = Optimizers.create(name, new int[0]);
        float[] p = {1f, -2f, 3f};
        float[] state = new float[optimizer.stateSize(3)];
        optimizer.update(p, new float[3], state, 1, 0.1f);
        assertArrayEquals(new float[] {1f, -2f, 3f}, p, name);
        for (float s : state) {
            assertTrue(s == 0f, name);
        }
    }

    private static float[] randomVector(Random random) {
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
