package dev.kindling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShardedOrderTest {
    @Test
    void contiguousShardsCoverTheExamplesAndDifferByAtMostOne() {
        assertArrayEquals(new int[] {3, 3, 4}, ShardedOrder.contiguousSizes(10, 3));
        assertArrayEquals(new int[] {1, 1}, ShardedOrder.contiguousSizes(2, 5), "at most one shard per example");
        assertEquals(1000, Arrays.stream(ShardedOrder.contiguousSizes(1000, 7)).sum());
    }

    @Test
    void everyEpochUsesEveryExampleOnceInBatchesOfTheUnshardedSizes() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 50; trial++) {
            int shards = 1 + rng.nextInt(9);
            int[] sizes = new int[shards];
            for (int p = 0; p < shards; p++) {
                sizes[p] = rng.nextInt(300);
            }
            int batch = 1 + rng.nextInt(120);
            ShardedOrder o = new ShardedOrder(sizes, batch);
            int n = o.examples();
            int[] order = o.epochOrder(7, 1 + rng.nextInt(3));
            int[] sorted = order.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i], "a permutation of the examples: " + o);
            }
            ShardedOrder.Dealer dealer = o.dealer();
            long[] taken = new long[shards];
            long position = 0;
            for (long k = 0; k < o.steps(); k++) {
                assertEquals(k, dealer.batchIndex());
                int[] counts = dealer.next(null);
                int size = Arrays.stream(counts).sum();
                assertEquals(Math.min(batch, n - position), size, "batch " + k + " of " + o);
                position += size;
                for (int p = 0; p < shards; p++) {
                    taken[p] += counts[p];
                    // within one example of the proportional share after every batch
                    double share = (double) position * sizes[p] / n;
                    assertTrue(Math.abs(taken[p] - share) < 1 + 1e-9, "shard " + p + " after batch " + k + ": "
                            + taken[p] + " vs " + share + " in " + o);
                }
            }
            for (int p = 0; p < shards; p++) {
                assertEquals(sizes[p], taken[p], "shard " + p + " used up: " + o);
            }
        }
    }

    @Test
    void aBatchHoldsOfEachShardTheSliceOfItsPermutationThatTheDealerNames() {
        int[] sizes = {40, 25, 35};
        ShardedOrder o = new ShardedOrder(sizes, 16);
        int[] order = o.epochOrder(5, 2);
        ShardedOrder.Dealer dealer = o.dealer();
        int[] starts = {0, 40, 65};
        for (int k = 0, at = 0; at < order.length; k++) {
            int[] offsets = dealer.offsets();
            int[] counts = dealer.next(null);
            int size = Arrays.stream(counts).sum();
            int[] fromShards = new int[0];
            for (int p = 0; p < sizes.length; p++) {
                int[] perm = ShardedOrder.permutation(sizes[p], 5, 2, p);
                int[] slice = Arrays.copyOfRange(perm, offsets[p], offsets[p] + counts[p]);
                int shift = starts[p];
                int[] global = Arrays.stream(slice).map(i -> i + shift).toArray();
                int[] joined = Arrays.copyOf(fromShards, fromShards.length + global.length);
                System.arraycopy(global, 0, joined, fromShards.length, global.length);
                fromShards = joined;
            }
            int[] inOrder = Arrays.copyOfRange(order, at, at + size);
            Arrays.sort(inOrder);
            Arrays.sort(fromShards);
            assertArrayEquals(inOrder, fromShards, "batch " + k);
            at += size;
        }
    }

    @Test
    void theOrderIsFixedByTheSeedAndTheEpochAndResumesInsideAnEpoch() {
        ShardedOrder o = new ShardedOrder(new int[] {30, 30}, 10);
        assertArrayEquals(o.epochOrder(1, 3), o.epochOrder(1, 3));
        assertNotEquals(Arrays.toString(o.epochOrder(1, 3)), Arrays.toString(o.epochOrder(1, 4)));
        assertNotEquals(Arrays.toString(o.epochOrder(1, 3)), Arrays.toString(o.epochOrder(2, 3)));
        ShardedOrder.Dealer full = o.dealer();
        full.next(null);
        full.next(null);
        ShardedOrder.Dealer resumed = o.dealer();
        resumed.skip(2);
        assertEquals(2, resumed.batchIndex());
        assertArrayEquals(full.offsets(), resumed.offsets());
        assertArrayEquals(full.next(null), resumed.next(null));
    }
}
