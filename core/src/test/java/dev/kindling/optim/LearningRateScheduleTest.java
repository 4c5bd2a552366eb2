package dev.kindling.optim;

import dev.kindling.KindlingException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearningRateScheduleTest {

    private static void assertRejected(String message, String spec, float base, long total) {
        assertEquals(message, assertThrows(KindlingException.class,
                () -> LearningRateSchedule.parse(spec, base, total)).getMessage());
    }

    @Test
    void constantKeepsTheBaseRate() {
        LearningRateSchedule schedule = LearningRateSchedule.parse("constant", 0.1f, 0);
        assertEquals(0.1f, schedule.rate(1));
        assertEquals(0.1f, schedule.rate(1_000_000));
    }

    @Test
    void stepDecayMultipliesByGammaEveryStepSizeSteps() {
        LearningRateSchedule schedule = LearningRateSchedule.parse("step:1000:0.5", 0.1f, 0);
        assertEquals(0.1f, schedule.rate(1));
        assertEquals(0.1f, schedule.rate(1000));
        assertEquals(0.05f, schedule.rate(1001));
        assertEquals(0.05f, schedule.rate(2000));
        assertEquals(0.025f, schedule.rate(2001));
    }

    @Test
    void cosineFallsFromBaseThroughHalfwayToTheFloor() {
        LearningRateSchedule schedule = LearningRateSchedule.parse("cosine", 0.1f, 100);
        assertEquals(0.1f, schedule.rate(1));
        assertEquals(0.05f, schedule.rate(51), 1e-7f);
        float last = schedule.rate(100);
        assertTrue(last > 0f && last < 1e-4f, "last step " + last);
        assertEquals(0f, schedule.rate(101));
        assertEquals(0f, schedule.rate(500));
    }

    @Test
    void cosineWithAFloor() {
        LearningRateSchedule schedule = LearningRateSchedule.parse("cosine:0.01", 0.1f, 100);
        assertEquals(0.055f, schedule.rate(51), 1e-7f);
        assertEquals(0.01f, schedule.rate(101));
    }

    @Test
    void warmupRisesLinearlyToTheBaseThenTheShapeStarts() {
        LearningRateSchedule schedule = LearningRateSchedule.parse("step:10:0.5,warmup:4", 0.2f, 0);
        assertEquals(0.05f, schedule.rate(1));
        assertEquals(0.1f, schedule.rate(2));
        assertEquals(0.2f, schedule.rate(4));
        assertEquals(0.2f, schedule.rate(5));
        assertEquals(0.2f, schedule.rate(14));
        assertEquals(0.1f, schedule.rate(15));
    }

    @Test
    void warmupBeforeACosineLeavesItTheRestOfTheRun() {
        LearningRateSchedule schedule = LearningRateSchedule.parse("cosine,warmup:20", 0.1f, 120);
        assertEquals(0.1f, schedule.rate(20));
        assertEquals(0.1f, schedule.rate(21));
        assertEquals(0.05f, schedule.rate(71), 1e-7f);
        assertEquals(0f, schedule.rate(121));
    }

    @Test
    void specRoundTripsThroughToString() {
        for (String spec : new String[] {"constant", "step:1000:0.5", "cosine:0.001",
                "cosine:0.0,warmup:10", "constant,warmup:3"}) {
            assertEquals(spec, LearningRateSchedule.parse(spec, 0.1f, 100).toString());
        }
    }

    @Test
    void unknownShape() {
        assertRejected("learning rate schedule: unknown value \"linear\" (expected constant,"
                + " step:N:GAMMA or cosine[:FLOOR], optionally followed by ,warmup:W)",
                "linear", 0.1f, 100);
    }

    @Test
    void missingSpec() {
        assertRejected("learning rate schedule: missing value (expected constant, step:N:GAMMA or"
                + " cosine[:FLOOR], optionally followed by ,warmup:W)", " ", 0.1f, 100);
    }

    @Test
    void stepWithoutGamma() {
        assertRejected("learning rate schedule: \"step:1000\" has 1 argument(s) for step (expected"
                + " constant, step:N:GAMMA or cosine[:FLOOR], optionally followed by ,warmup:W)",
                "step:1000", 0.1f, 100);
    }

    @Test
    void stepSizeNotAWholeNumber() {
        assertRejected("learning rate schedule: step size \"1e3\" in \"step:1e3:0.5\" is not a whole"
                + " number", "step:1e3:0.5", 0.1f, 100);
    }

    @Test
    void zeroStepSize() {
        assertRejected("learning rate schedule: step size 0 must be > 0", "step:0:0.5", 0.1f, 100);
    }

    @Test
    void gammaOutOfRange() {
        assertRejected("learning rate schedule: gamma 1.5 is out of range (0, 1]",
                "step:10:1.5", 0.1f, 100);
        assertRejected("learning rate schedule: gamma \"half\" in \"step:10:half\" is not a number",
                "step:10:half", 0.1f, 100);
    }

    @Test
    void cosineWithoutTotalSteps() {
        assertRejected("learning rate schedule: cosine needs the run's total steps, got 0",
                "cosine", 0.1f, 0);
    }

    @Test
    void floorAboveTheBase() {
        assertRejected("learning rate schedule: floor 0.5 is out of range [0, 0.1] (it may not"
                + " exceed the base rate)", "cosine:0.5", 0.1f, 100);
    }

    @Test
    void warmupAsLongAsTheRun() {
        assertRejected("learning rate schedule: warmup 100 must be shorter than the run's 100"
                + " total steps", "cosine,warmup:100", 0.1f, 100);
    }

    @Test
    void zeroWarmup() {
        assertRejected("learning rate schedule: warmup 0 must be > 0", "constant,warmup:0", 0.1f, 0);
    }

    @Test
    void unknownModifier() {
        assertRejected("learning rate schedule: unknown modifier \"cooldown:5\" in"
                + " \"constant,cooldown:5\" (expected warmup:W)", "constant,cooldown:5", 0.1f, 0);
    }

    @Test
    void badBaseRate() {
        assertRejected("learning rate: -0.1 must be > 0", "constant", -0.1f, 0);
        assertRejected("learning rate: NaN must be > 0", "step:10:0.5", Float.NaN, 0);
    }
}
