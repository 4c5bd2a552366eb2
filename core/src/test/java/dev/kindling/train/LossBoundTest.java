package dev.kindling.train;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LossBoundTest {
    @Test
    void aLossIsBoundedByAThousandTimesTheFirstLoss() {
        LossBound bound = new LossBound();
        assertNull(bound.check(2.3), "the first loss sets the bound");
        assertNull(bound.check(2300), "at the bound");
        String problem = bound.check(2301);
        assertNotNull(problem, "just above it");
        assertTrue(problem.contains("2301") && problem.contains("2300") && problem.contains("1000"), problem);
        assertNull(bound.check(0.01), "a falling loss");
    }

    @Test
    void aSmallFirstLossStillAllowsLossesUpToAThousand() {
        LossBound bound = new LossBound();
        assertNull(bound.check(1e-4));
        assertNull(bound.check(999));
        assertNotNull(bound.check(1001));
    }

    @Test
    void aLossThatIsNotFiniteIsDivergenceEvenFirst() {
        assertTrue(new LossBound().check(Double.NaN).contains("NaN"));
        assertTrue(new LossBound().check(Double.POSITIVE_INFINITY).contains("Infinity"));
    }
}
