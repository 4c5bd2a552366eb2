package dev.kindling.optim;

import dev.kindling.KindlingException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WeightDecayTest {

    @Test
    void addsLambdaTimesWeightOnlyInsideTheRanges() {
        // Two layers: weights 0..2 and 4..5, biases at 3 and 6.
        WeightDecay decay = new WeightDecay(0.1f, new int[] {0, 3, 4, 2});
        float[] params = {1f, -2f, 3f, 10f, 4f, -5f, 20f};
        float[] grads = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        decay.apply(params, grads);
        assertArrayEquals(new float[] {0.6f, 0.3f, 0.8f, 0.5f, 0.9f, 0f, 0.5f}, grads, 1e-6f);
        assertArrayEquals(new float[] {1f, -2f, 3f, 10f, 4f, -5f, 20f}, params);
    }

    @Test
    void penaltyIsHalfLambdaTimesTheSumOfSquaredWeights() {
        WeightDecay decay = new WeightDecay(0.1f, new int[] {0, 3, 4, 2});
        float[] params = {1f, -2f, 3f, 10f, 4f, -5f, 20f};
        // 0.5 * 0.1 * (1 + 4 + 9 + 16 + 25); the biases 10 and 20 do not count.
        double expected = 0.5 * 0.1f * 55;
        assertEquals(expected, decay.penalty(params), 1e-9);
        assertEquals(expected, decay.apply(params, new float[7]), 1e-9);
    }

    @Test
    void zeroLambdaChangesNothing() {
        WeightDecay decay = new WeightDecay(0f, new int[] {0, 2});
        float[] grads = {1f, 2f};
        assertEquals(0.0, decay.apply(new float[] {3f, 4f}, grads));
        assertArrayEquals(new float[] {1f, 2f}, grads);
    }

    @Test
    void noRangesDecayNothing() {
        WeightDecay decay = new WeightDecay(0.5f, new int[0]);
        float[] grads = {1f};
        assertEquals(0.0, decay.apply(new float[] {3f}, grads));
        assertArrayEquals(new float[] {1f}, grads);
    }

    @Test
    void rangesAreCopied() {
        int[] ranges = {0, 1};
        WeightDecay decay = new WeightDecay(1f, ranges);
        ranges[1] = 2;
        float[] grads = new float[2];
        decay.apply(new float[] {1f, 1f}, grads);
        assertArrayEquals(new float[] {1f, 0f}, grads);
    }

    @Test
    void oddNumberOfRangeEntries() {
        assertEquals("weight ranges: 3 numbers is not a list of (offset, length) pairs",
                assertThrows(KindlingException.class,
                        () -> new WeightDecay(0.1f, new int[] {0, 1, 2})).getMessage());
    }

    @Test
    void negativeRangeEntry() {
        assertEquals("weight ranges: range 1 (offset 4, length -1) has a negative number",
                assertThrows(KindlingException.class,
                        () -> new WeightDecay(0.1f, new int[] {0, 2, 4, -1})).getMessage());
    }

    @Test
    void overlappingRanges() {
        assertEquals("weight ranges: range 1 (offset 2, length 2) starts before the previous one"
                        + " ends at 3",
                assertThrows(KindlingException.class,
                        () -> new WeightDecay(0.1f, new int[] {0, 3, 2, 2})).getMessage());
    }

    @Test
    void rangesPastTheParameters() {
        WeightDecay decay = new WeightDecay(0.1f, new int[] {0, 2, 2, 3});
        assertEquals("weight ranges: range 1 ends at 5 but there are only 4 parameters",
                assertThrows(KindlingException.class,
                        () -> decay.apply(new float[4], new float[4])).getMessage());
    }

    @Test
    void notANumberLambda() {
        assertEquals("weight decay: NaN must be >= 0",
                assertThrows(KindlingException.class,
                        () -> new WeightDecay(Float.NaN, new int[0])).getMessage());
    }
}
