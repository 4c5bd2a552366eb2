package dev.kindling.spark.train;

import dev.kindling.train.ShardedOrder;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One global batch as the tasks receive it: for each shard, where its part starts in the
 * shard's epoch permutation and how many examples it holds ({@link ShardedOrder}). A task finds
 * its examples from its shard's size alone, so a round ships 2 ints per shard, not indices.
 */
final class BatchSlice implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The permutation of the last shard this thread sampled: tasks of one epoch reuse it. */
    private static final ThreadLocal<Cached> PERMUTATION = new ThreadLocal<>();

    private final long seed;
    private final int epoch;
    private final int[] offsets;
    private final int[] counts;

    BatchSlice(long seed, int epoch, int[] offsets, int[] counts) {
        this.seed = seed;
        this.epoch = epoch;
        this.offsets = offsets;
        this.counts = counts;
    }

    /** What fixes the augmentation of shard {@code p}'s examples in this batch: (seed, epoch, shard). */
    dev.kindling.data.Augmentation.Key augmentation(int p) {
        return new dev.kindling.data.Augmentation.Key(seed, epoch, p);
    }

    /** Shard {@code p}'s examples of the batch, as local indices of the shard (of {@code size} examples). */
    int[] local(int p, int size) {
        Cached c = PERMUTATION.get();
        if (c == null || c.seed != seed || c.epoch != epoch || c.shard != p || c.order.length != size) {
            c = new Cached(seed, epoch, p, ShardedOrder.permutation(size, seed, epoch, p));
            PERMUTATION.set(c);
        }
        return Arrays.copyOfRange(c.order, offsets[p], offsets[p] + counts[p]);
    }

    private record Cached(long seed, int epoch, int shard, int[] order) {
    }
}
