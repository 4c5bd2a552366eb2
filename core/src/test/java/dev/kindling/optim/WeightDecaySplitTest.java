package dev.kindling.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kindling.KindlingException;
import org.junit.jupiter.api.Test;

class WeightDecaySplitTest {

    @Test
    void adamwTakesTheDecayItselfAndLeavesNoL2() {
        WeightDecaySplit split = WeightDecaySplit.of("adamw", 0.05);
        assertEquals(new OptimizerConfig("adamw", null, null, null, null, null, 0.05f), split.optimizer());
        assertEquals(0.0, split.l2());
        AdamW built = (AdamW) Optimizers.create(split.optimizer(), new int[] {0, 4});
        assertEquals(0.05f, built.weightDecay());
    }

    @Test
    void adamwWithoutARequestKeepsItsDefaultDecay() {
        WeightDecaySplit split = WeightDecaySplit.of(" AdamW ", null);
        assertEquals(OptimizerConfig.of("adamw"), split.optimizer());
        assertEquals(0.0, split.l2());
        assertEquals(AdamW.DEFAULT_WEIGHT_DECAY,
                ((AdamW) Optimizers.create(split.optimizer(), new int[0])).weightDecay());
    }

    @Test
    void adamwWithZeroTurnsItsDecayOff() {
        WeightDecaySplit split = WeightDecaySplit.of("adamw", 0.0);
        assertEquals(0f, ((AdamW) Optimizers.create(split.optimizer(), new int[0])).weightDecay());
        assertEquals(0.0, split.l2());
    }

    @Test
    void everyOtherOptimizerTakesTheDecayAsL2() {
        for (String name : Optimizers.NAMES) {
            if (name.equals(AdamW.NAME)) {
                continue;
            }
            WeightDecaySplit split = WeightDecaySplit.of(name.toUpperCase(java.util.Locale.ROOT), 1e-4);
            assertEquals(OptimizerConfig.of(name), split.optimizer(), name);
            assertEquals(1e-4, split.l2(), name);
            assertEquals(0.0, WeightDecaySplit.of(name, null).l2(), name);
        }
    }

    @Test
    void badValuesFailWithTheOptimizersMessages() {
        assertEquals("optimizer: unknown value \"adamx\" (expected one of sgd, momentum, nesterov, adagrad,"
                        + " rmsprop, adam, adamw)",
                assertThrows(KindlingException.class, () -> WeightDecaySplit.of("adamx", 0.1)).getMessage());
        assertEquals("adamw.weightDecay: -0.01 must be >= 0",
                assertThrows(KindlingException.class, () -> WeightDecaySplit.of("adamw", -0.01)).getMessage());
    }
}
