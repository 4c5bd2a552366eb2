package dev.kindling.optim;

import dev.kindling.KindlingException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OptimizersTest {

    @Test
    void namesMapToTheirClassesWithDefaults() {
        int[] ranges = {0, 4};
        assertInstanceOf(Sgd.class, Optimizers.create("sgd", ranges));
        assertEquals(0.9f, ((Momentum) Optimizers.create("momentum", ranges)).momentum());
        assertEquals(0.9f, ((Nesterov) Optimizers.create("nesterov", ranges)).momentum());
        assertEquals(1e-7f, ((AdaGrad) Optimizers.create("adagrad", ranges)).epsilon());
        assertEquals(0.99f, ((RmsProp) Optimizers.create("rmsprop", ranges)).decay());
        Adam adam = (Adam) Optimizers.create("adam", ranges);
        assertEquals(0.9f, adam.beta1());
        assertEquals(0.999f, adam.beta2());
        assertEquals(1e-8f, adam.epsilon());
        AdamW adamW = (AdamW) Optimizers.create("adamw", ranges);
        assertEquals(0.01f, adamW.weightDecay());
        assertArrayEquals(ranges, adamW.weightRanges());
    }

    @Test
    void namesAreReadInAnyCase() {
        assertEquals("adam", Optimizers.create(" Adam ", new int[0]).name());
        assertEquals("adam", OptimizerConfig.of("ADAM").name());
    }

    @Test
    void defaultLearningRatesAreTheDocumentedOnes() {
        // The rates README.md promises for a run without --lr; a new optimizer must be added here.
        Map<String, Float> documented = Map.of("sgd", 0.01f, "momentum", 0.01f,
                "nesterov", 0.01f, "adagrad", 0.01f, "rmsprop", 0.01f, "adam", 0.001f,
                "adamw", 0.001f);
        assertEquals(documented.keySet(), Set.copyOf(Optimizers.NAMES));
        for (String name : Optimizers.NAMES) {
            assertEquals((float) documented.get(name), Optimizers.defaultLearningRate(name), name);
        }
    }

    @Test
    void configOverridesOnlyWhatItNames() {
        OptimizerConfig config = new OptimizerConfig("adamw", null, 0.8f, null, null, null, 0.1f);
        AdamW adamW = (AdamW) Optimizers.create(config, new int[0]);
        assertEquals(0.8f, adamW.beta1());
        assertEquals(0.999f, adamW.beta2());
        assertEquals(0.1f, adamW.weightDecay());
    }

    @Test
    void configValidatesWhenBuiltWithTheOptimizersMessages() {
        KindlingException e = assertThrows(KindlingException.class,
                () -> new OptimizerConfig("adam", null, 1.5f, null, null, null, null));
        assertEquals("adam.beta1: 1.5 is out of range [0, 1)", e.getMessage());
    }

    @Test
    void configRejectsAFieldTheOptimizerDoesNotRead() {
        KindlingException e = assertThrows(KindlingException.class,
                () -> new OptimizerConfig("adam", 0.9f, null, null, null, null, null));
        assertEquals("optimizer.momentum: 0.9 is not used by \"adam\" (it takes beta1, beta2,"
                + " epsilon)", e.getMessage());
        e = assertThrows(KindlingException.class,
                () -> new OptimizerConfig("sgd", null, null, null, 1e-8f, null, null));
        assertEquals("optimizer.epsilon: 1.0E-8 is not used by \"sgd\" (it takes none)",
                e.getMessage());
    }

    @Test
    void adamWDecaysWeightsButNotBiases() {
        // Weights at 0..1 and 3, a bias at 2; with no gradient only the decay moves anything.
        AdamW adamW = new AdamW(0.9f, 0.999f, 1e-8f, 0.5f, new int[] {0, 2, 3, 1});
        float[] p = {1f, -2f, 3f, 4f};
        adamW.update(p, new float[4], new float[8], 1, 0.1f);
        assertArrayEquals(new float[] {0.95f, -1.9f, 3f, 3.8f}, p, 1e-6f);
    }

    @Test
    void adamWRejectsRangesPastTheParameters() {
        AdamW adamW = new AdamW(new int[] {0, 5});
        KindlingException e = assertThrows(KindlingException.class,
                () -> adamW.update(new float[4], new float[4], new float[8], 1, 0.1f));
        assertEquals("weight ranges: range 0 ends at 5 but there are only 4 parameters",
                e.getMessage());
    }
}
