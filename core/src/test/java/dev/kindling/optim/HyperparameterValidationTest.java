package dev.kindling.optim;

import dev.kindling.KindlingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HyperparameterValidationTest {

    static Stream<String> names() {
        return Optimizers.NAMES.stream();
    }

    private static void assertRejected(String message, Executable executable) {
        assertEquals(message, assertThrows(KindlingException.class, executable).getMessage());
    }

    private static void update(String name, float learningRate) {
        Optimizer optimizer = Optimizers.create(name, new int[0]);
        optimizer.update(new float[2], new float[2], new float[optimizer.stateSize(2)], 1,
                learningRate);
    }

    @ParameterizedTest
    @MethodSource("names")
    void zeroLearningRate(String name) {
        assertRejected("learning rate: 0.0 must be > 0", () -> update(name, 0f));
    }

    @ParameterizedTest
    @MethodSource("names")
    void negativeLearningRate(String name) {
        assertRejected("learning rate: -0.1 must be > 0", () -> update(name, -0.1f));
    }

    @ParameterizedTest
    @MethodSource("names")
    void notANumberLearningRate(String name) {
        assertRejected("learning rate: NaN must be > 0", () -> update(name, Float.NaN));
    }

    @Test
    void infiniteLearningRate() {
        assertRejected("learning rate: Infinity must be finite",
                () -> update("sgd", Float.POSITIVE_INFINITY));
    }

    @Test
    void betaOneAtOrAboveOne() {
        assertRejected("adam.beta1: 1.5 is out of range [0, 1)", () -> new Adam(1.5f, 0.999f, 1e-8f));
        assertRejected("adamw.beta1: 1.0 is out of range [0, 1)",
                () -> new AdamW(1f, 0.999f, 1e-8f, 0.01f, new int[0]));
    }

    @Test
    void negativeBetaTwo() {
        assertRejected("adam.beta2: -0.1 is out of range [0, 1)", () -> new Adam(0.9f, -0.1f, 1e-8f));
    }

    @Test
    void notANumberBeta() {
        assertRejected("adam.beta2: NaN is out of range [0, 1)",
                () -> new Adam(0.9f, Float.NaN, 1e-8f));
    }

    @Test
    void momentumOutOfRange() {
        assertRejected("momentum.momentum: 1.0 is out of range [0, 1)", () -> new Momentum(1f));
        assertRejected("nesterov.momentum: -0.5 is out of range [0, 1)", () -> new Nesterov(-0.5f));
    }

    @Test
    void negativeEpsilon() {
        assertRejected("adam.epsilon: -1.0E-8 must be > 0", () -> new Adam(0.9f, 0.999f, -1e-8f));
        assertRejected("adagrad.epsilon: -1.0E-7 must be > 0", () -> new AdaGrad(-1e-7f));
        assertRejected("rmsprop.epsilon: -1.0E-7 must be > 0", () -> new RmsProp(0.99f, -1e-7f));
    }

    @Test
    void zeroEpsilon() {
        // With zero state and a zero gradient, eps is all that stands between 0/0 and NaN.
        assertRejected("adam.epsilon: 0.0 must be > 0", () -> new Adam(0.9f, 0.999f, 0f));
    }

    @Test
    void rmsPropDecayOutOfRange() {
        assertRejected("rmsprop.decay: 1.2 is out of range [0, 1)", () -> new RmsProp(1.2f, 1e-7f));
    }

    @Test
    void negativeDecoupledWeightDecay() {
        assertRejected("adamw.weightDecay: -0.01 must be >= 0",
                () -> new AdamW(0.9f, 0.999f, 1e-8f, -0.01f, new int[0]));
    }

    @Test
    void negativeL2WeightDecay() {
        assertRejected("weight decay: -0.1 must be >= 0", () -> new WeightDecay(-0.1f, new int[0]));
    }

    @Test
    void unknownOptimizerName() {
        assertRejected("optimizer: unknown value \"adamx\" (expected one of sgd, momentum, nesterov,"
                + " adagrad, rmsprop, adam, adamw)", () -> Optimizers.create("adamx", new int[0]));
    }

    @Test
    void missingOptimizerName() {
        assertRejected("optimizer: missing value (expected one of sgd, momentum, nesterov,"
                + " adagrad, rmsprop, adam, adamw)", () -> OptimizerConfig.of(null));
    }

    @Test
    void stateOfTheWrongSize() {
        assertRejected("adam: state has 3 floats, expected 4 for 2 parameters",
                () -> new Adam().update(new float[2], new float[2], new float[3], 1, 0.1f));
    }

    @Test
    void gradientsOfTheWrongSize() {
        assertRejected("momentum: 3 gradients for 2 parameters",
                () -> new Momentum().update(new float[2], new float[3], new float[2], 1, 0.1f));
    }

    @Test
    void stepBeforeTheFirst() {
        assertThrows(IllegalArgumentException.class,
                () -> new Adam().update(new float[2], new float[2], new float[4], 0, 0.1f));
    }
}
