package dev.kindling.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The epoch order of a data set held in shards, as the Spark trainer samples it and as
 * {@code --master single --shards N} reproduces it. Shard p holds a contiguous range of the
 * examples; each epoch every shard shuffles its own examples from (seed, epoch, shard) alone, and
 * the positions of the epoch are dealt to the shards in proportion to their sizes, so that
 * each global batch of {@code batch} positions takes a share of every shard and every example is
 * used once per epoch. The batches have the sizes of an unsharded run (the last one possibly
 * short), and a shard needs nothing but its own size and the batch's counts to find its part:
 * no index crosses the network, and nothing of size O(examples) is kept in one place.
 *
 * <p>Dealing: position j goes to the shard whose deficit {@code (j + 1) * size(p) - examples *
 * taken(p)} is largest (the lowest shard on a tie). That keeps every shard within one example
 * of its proportional share at every position, and gives each exactly its size by the end.
 */
public final class ShardedOrder {
    private final int[] sizes;
    private final int[] starts;
    private final int examples;
    private final int batch;

    /** @param sizes the shards' sizes, in shard order (shard p holds examples [start(p), start(p + 1))) */
    public ShardedOrder(int[] sizes, int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch: " + batch + " must be > 0");
        }
        this.sizes = sizes.clone();
        this.starts = new int[sizes.length + 1];
        for (int p = 0; p < sizes.length; p++) {
            if (sizes[p] < 0) {
                throw new IllegalArgumentException("shard " + p + ": size " + sizes[p] + " must be >= 0");
            }
            starts[p + 1] = starts[p] + sizes[p];
        }
        this.examples = starts[sizes.length];
        this.batch = batch;
    }

    /** The sizes of {@code shards} contiguous shards of {@code examples} (the first ones smaller by at most one). */
    public static int[] contiguousSizes(int examples, int shards) {
        int count = Math.max(1, Math.min(shards, examples));
        int[] sizes = new int[count];
        for (int p = 0; p < count; p++) {
            sizes[p] = (int) ((long) examples * (p + 1) / count - (long) examples * p / count);
        }
        return sizes;
    }

    public int examples() {
        return examples;
    }

    /** Global batches per epoch. */
    public long steps() {
        return (examples + batch - 1) / batch;
    }

    /**
     * Shard {@code shard}'s order in {@code epoch}: a permutation of its local indices fixed by
     * (seed, epoch, shard).
     */
    public static int[] permutation(int size, long seed, int epoch, int shard) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        long mixed = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + shard * 0x94D049BB133111EBL;
        EpochOrder.shuffle(order, new SplittableRandom(mixed));
        return order;
    }

    /** A dealer at the start of an epoch. */
    public Dealer dealer() {
        return new Dealer();
    }

    /**
     * Deals an epoch's positions to the shards, batch by batch: for each batch, how many
     * examples each shard gives and from where in its epoch permutation.
     */
    public final class Dealer {
        private final long[] taken = new long[sizes.length];
        private long position;

        private Dealer() {
        }

        /** The batch that starts here (0 for the first). */
        public long batchIndex() {
            return position / batch;
        }

        /** Where in its permutation each shard's part of the next batch starts. */
        public int[] offsets() {
            int[] o = new int[taken.length];
            for (int p = 0; p < o.length; p++) {
                o[p] = (int) taken[p];
            }
            return o;
        }

        /** Deals the next batch and returns each shard's count in it; the shard of every position when {@code shardOf} is given. */
        public int[] next(int[] shardOf) {
            int n = (int) Math.min(batch, examples - position);
            int[] counts = new int[taken.length];
            for (int i = 0; i < n; i++) {
                long j = position + i;
                int best = -1;
                long bestDeficit = Long.MIN_VALUE;
                for (int p = 0; p < taken.length; p++) {
                    if (taken[p] == sizes[p]) {
                        continue;
                    }
                    long deficit = (j + 1) * sizes[p] - (long) examples * taken[p];
                    if (deficit > bestDeficit) {
                        bestDeficit = deficit;
                        best = p;
                    }
                }
                taken[best]++;
                counts[best]++;
                if (shardOf != null) {
                    shardOf[i] = best;
                }
            }
            position += n;
            return counts;
        }

        /** Deals {@code batches} batches without recording them (to resume inside an epoch). */
        public void skip(long batches) {
            for (long k = 0; k < batches && position < examples; k++) {
                next(null);
            }
        }
    }

    /**
     * The whole epoch as global indices, batch after batch, each batch's part of shard p in the
     * order of p's permutation: what one machine trains on with {@code --shards}.
     */
    public int[] epochOrder(long seed, int epoch) {
        int[][] perms = new int[sizes.length][];
        for (int p = 0; p < sizes.length; p++) {
            perms[p] = permutation(sizes[p], seed, epoch, p);
        }
        int[] order = new int[examples];
        int[] shardOf = new int[batch];
        int[] next = new int[sizes.length];
        Dealer dealer = dealer();
        int at = 0;
        while (at < examples) {
            int n = (int) Math.min(batch, examples - at);
            dealer.next(shardOf);
            for (int i = 0; i < n; i++) {
                int p = shardOf[i];
                order[at + i] = starts[p] + perms[p][next[p]++];
            }
            at += n;
        }
        return order;
    }

    @Override
    public String toString() {
        return "ShardedOrder" + Arrays.toString(sizes) + " batch " + batch;
    }
}
