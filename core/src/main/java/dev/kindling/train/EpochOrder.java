package dev.kindling.train;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the training examples: one index array, shuffled in place
 * at the start of every epoch by one {@link SplittableRandom} seeded with the run's seed. Each
 * epoch's order therefore depends on all the shuffles before it; {@link #at} replays them, so a
 * resumed run or a distributed one sees exactly the order a single-machine run sees.
 */
public final class EpochOrder {
    private final int[] order;
    private final SplittableRandom rng;
    private int epoch;

    /** The order before the first epoch: identity, not yet shuffled. */
    public EpochOrder(int examples, long seed) {
        if (examples < 0) {
            throw new IllegalArgumentException("examples: " + examples + " must be >= 0");
        }
        this.order = new int[examples];
        for (int i = 0; i < examples; i++) {
            order[i] = i;
        }
        this.rng = new SplittableRandom(seed);
    }

    /** The order of epoch {@code epoch} (1-based; 0 is the unshuffled order), by replaying. */
    public static EpochOrder at(int examples, long seed, int epoch) {
        EpochOrder o = new EpochOrder(examples, seed);
        while (o.epoch < epoch) {
            o.next();
        }
        return o;
    }

    /** Shuffles for the next epoch and returns the order (this object's array; do not change it). */
    public int[] next() {
        shuffle(order, rng);
        epoch++;
        return order;
    }

    /** The current epoch's order (this object's array; do not change it). */
    public int[] order() {
        return order;
    }

    /** The epoch whose order {@link #order()} holds; 0 before the first {@link #next()}. */
    public int epoch() {
        return epoch;
    }

    /**
     * Up to {@code limit} distinct example indices out of {@code examples}, in ascending order,
     * fixed by {@code seed}: the training sample that per-epoch train loss and accuracy are
     * measured on. All of them when {@code examples <= limit}.
     */
    public static int[] sample(int examples, int limit, long seed) {
        if (examples <= limit) {
            int[] all = new int[examples];
            for (int i = 0; i < examples; i++) {
                all[i] = i;
            }
            return all;
        }
        // Floyd's sampling: memory in the sample's size, not the data set's (a driver holding
        // only parameters draws it for any data set)
        SplittableRandom rng = new SplittableRandom(seed + 1);
        java.util.HashSet<Integer> chosen = new java.util.HashSet<>(2 * limit);
        for (int j = examples - limit; j < examples; j++) {
            int t = rng.nextInt(j + 1);
            chosen.add(chosen.contains(t) ? j : t);
        }
        int[] picked = chosen.stream().mapToInt(Integer::intValue).toArray();
        java.util.Arrays.sort(picked);
        return picked;
    }

    /** Fisher-Yates, from the end, one {@code nextInt(i + 1)} per position. */
    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}
