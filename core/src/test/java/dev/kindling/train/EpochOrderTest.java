package dev.kindling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EpochOrderTest {

    @Test
    void replayingGivesTheOrderOfAContinuingRun() {
        EpochOrder running = new EpochOrder(1000, 7);
        for (int epoch = 1; epoch <= 4; epoch++) {
            int[] order = running.next().clone();
            assertArrayEquals(order, EpochOrder.at(1000, 7, epoch).order(), "epoch " + epoch);
            assertEquals(epoch, running.epoch());
        }
    }

    @Test
    void eachEpochIsAPermutationShuffledLikeTheTrainerAlwaysDid() {
        int[] expected = new int[50];
        Arrays.setAll(expected, i -> i);
        SplittableRandom rng = new SplittableRandom(3);
        EpochOrder orders = new EpochOrder(50, 3);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int i = expected.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tmp = expected[i];
                expected[i] = expected[j];
                expected[j] = tmp;
            }
            int[] order = orders.next();
            assertArrayEquals(expected, order);
            int[] sorted = order.clone();
            Arrays.sort(sorted);
            int[] identity = new int[50];
            Arrays.setAll(identity, i -> i);
            assertArrayEquals(identity, sorted);
        }
    }

    @Test
    void sampleIsSortedDistinctAndSeeded() {
        int[] s = EpochOrder.sample(1000, 100, 5);
        assertEquals(100, s.length);
        for (int i = 1; i < s.length; i++) {
            assertEquals(true, s[i] > s[i - 1]);
        }
        assertArrayEquals(s, EpochOrder.sample(1000, 100, 5));
        assertNotEquals(Arrays.toString(s), Arrays.toString(EpochOrder.sample(1000, 100, 6)));
        assertEquals(10, EpochOrder.sample(10, 100, 5).length);
    }
}
