package dev.kindling.spark.train;

import dev.kindling.spark.TestSpark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.data.Dataset;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.storage.RDDBlockId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Partial sums are added in shard order, whatever order their tasks finish in. */
public class ShardAggregationTest {
    /** Values whose float sum depends on the order they are added in. */
    static final float[] VALUES = {1f, 2f, 1e8f, 3f, -1e8f, 4f, 5f, 6f, 7f};

    /** Shard p's partial: VALUES[p] in its vector and state, VALUES[p] * 1e-9 as its loss. */
    static PartialSum partial(int p) {
        PartialSum s = new PartialSum();
        s.vector = new float[] {VALUES[p], -VALUES[p]};
        s.state = new float[] {VALUES[p]};
        s.loss = VALUES[p] * 1e-9;
        s.examples = 1;
        s.shards = 1;
        return s;
    }

    /** The float sum of shards {@code from} to {@code to} (exclusive), added in shard order. */
    static float inOrder(int from, int to) {
        float sum = VALUES[from];
        for (int p = from + 1; p < to; p++) {
            sum += VALUES[p];
        }
        return sum;
    }

    static PartialSum mergeArrivingIn(int... arrival) {
        ShardAggregation.Merger<PartialSum> merger = new ShardAggregation.Merger<>(PartialSum.empty(),
                PartialSum::merge, arrival.length);
        for (int p : arrival) {
            merger.apply(p, partial(p));
        }
        return merger.result();
    }

    @Test
    void theDriverAddsPartialsInShardOrderWhateverOrderTheyArriveIn() {
        PartialSum expected = mergeArrivingIn(0, 1, 2, 3, 4, 5, 6, 7, 8);
        float sum = inOrder(0, VALUES.length);
        assertArrayEquals(new float[] {sum, -sum}, expected.vector);
        assertArrayEquals(new float[] {sum}, expected.state);
        assertEquals(9, expected.shards);
        for (int[] arrival : List.of(new int[] {8, 7, 6, 5, 4, 3, 2, 1, 0}, new int[] {4, 2, 0, 1, 3, 8, 6, 5, 7},
                new int[] {1, 4, 2, 0, 3, 5, 6, 7, 8}, new int[] {0, 2, 4, 6, 8, 1, 3, 5, 7})) {
            PartialSum got = mergeArrivingIn(arrival);
            String order = java.util.Arrays.toString(arrival);
            assertArrayEquals(expected.vector, got.vector, "arriving in " + order);
            assertArrayEquals(expected.state, got.state, "arriving in " + order);
            assertEquals(expected.loss, got.loss, 0.0, "arriving in " + order);
            assertEquals(9, got.shards, "arriving in " + order);
        }
        // the values do depend on the order: in reverse order, the sum is another float
        float reverse = VALUES[8];
        for (int p = 7; p >= 0; p--) {
            reverse += VALUES[p];
        }
        assertNotEquals(sum, reverse);
    }

    /** Returns {@link #partial} of its shard. */
    static final class ValueTask extends ShardTask<PartialSum> {
        private static final long serialVersionUID = 1L;

        @Override
        PartialSum run(int p, Dataset shard) {
            return partial(p);
        }
    }

    static Dataset examples(int n) {
        return new Dataset("tiny", 1, 2, 2, 10, new byte[n * 4], new byte[n]);
    }

    /**
     * With 9 shards the merge goes through a tree: groups of 3 consecutive shards, each added in
     * shard order on an executor, then the groups in order on the driver.
     */
    @Test
    void theTreeAddsConsecutiveShardsInOrderThenTheGroupsInOrder() {
        Shards shards = Shards.of(TestSpark.context(), examples(9), 9, "values");
        try {
            float expected = inOrder(0, 3);
            expected += inOrder(3, 6);
            expected += inOrder(6, 9);
            for (int run = 0; run < 3; run++) {
                PartialSum got = ShardAggregation.run(TestSpark.context(), shards, new ValueTask(), PartialSum::empty,
                        PartialSum::merge, PartialSum.class);
                assertArrayEquals(new float[] {expected, -expected}, got.vector, "run " + run);
                assertArrayEquals(new float[] {expected}, got.state, "run " + run);
                assertEquals(9, got.shards);
                assertEquals(9, got.examples);
            }
        } finally {
            shards.release();
        }
    }

    /** Whether the block manager knows where each shard's block is. */
    static boolean allBlocksThere(Shards shards) {
        for (int p = 0; p < shards.count(); p++) {
            if (!SparkEnv.get().blockManager().master().contains(new RDDBlockId(shards.rdd().id(), p))) {
                return false;
            }
        }
        return true;
    }

    /** Throws, on shard 0, an error whose message reads like Spark's for a lost checkpoint block. */
    static final class LookalikeFailure extends ShardTask<PartialSum> {
        private static final long serialVersionUID = 1L;

        @Override
        PartialSum run(int p, Dataset shard) {
            if (p == 0) {
                throw new IllegalStateException("Checkpoint block rdd_1_0 not found in the input");
            }
            return partial(p);
        }
    }

    /**
     * A shard's block removed from the block manager, as when its executor is lost: Spark
     * rebuilds it from its lineage within the job, which returns the full result. With 3 shards
     * the job is direct, with 9 it goes through the tree.
     */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {3, 9})
    void aLostShardBlockIsRebuiltFromItsLineageWithinTheJob(int count) {
        Shards shards = Shards.of(TestSpark.context(), examples(count), count, "values");
        try {
            int before = shards.rdd().id();
            SparkEnv.get().blockManager().removeBlock(new RDDBlockId(before, 1), true);
            assertTrue(!allBlocksThere(shards), "block 1 is gone");
            PartialSum got = ShardAggregation.run(TestSpark.context(), shards, new ValueTask(), PartialSum::empty,
                    PartialSum::merge, PartialSum.class);
            assertEquals(before, shards.rdd().id(), "the same shards: nothing shipped from the driver");
            assertEquals(count, got.shards);
            assertEquals(count, got.examples);
            assertTrue(allBlocksThere(shards), "every block is back");
        } finally {
            shards.release();
        }
    }

    /** A task's own failure fails the job with its message, whatever that message reads like. */
    @Test
    void aTaskFailureFailsTheJobWithItsMessage() {
        Shards shards = Shards.of(TestSpark.context(), examples(3), 3, "values");
        try {
            int before = shards.rdd().id();
            Exception e = assertThrows(Exception.class, () -> ShardAggregation.run(TestSpark.context(), shards,
                    new LookalikeFailure(), PartialSum::empty, PartialSum::merge, PartialSum.class));
            assertTrue(String.valueOf(e.getMessage()).contains("Checkpoint block rdd_1_0 not found"), e.toString());
            assertEquals(before, shards.rdd().id());
            assertTrue(allBlocksThere(shards));
        } finally {
            shards.release();
        }
    }
}
