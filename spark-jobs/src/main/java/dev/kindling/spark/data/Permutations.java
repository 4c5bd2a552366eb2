package dev.kindling.spark.data;

import dev.kindling.data.Dataset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each example falls in {@link Dataset#permutation}{@code (count, seed)}, drawn once per
 * executor JVM for the few (count, seed) pairs a job uses (a split, a replay sample): drawing it
 * is linear in the data set's size, and the driver never draws it.
 */
final class Permutations {
    private static final int KEPT = 4;
    private static final Map<String, int[]> PLACES = new LinkedHashMap<>(KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
            return size() > KEPT;
        }
    };

    private Permutations() {
    }

    /** {@code places[i]}: the place of example i in the permutation of {@code count} for {@code seed}. */
    static synchronized int[] places(int count, long seed) {
        return PLACES.computeIfAbsent(count + "/" + seed, k -> {
            int[] order = Dataset.permutation(count, seed);
            int[] places = new int[count];
            for (int p = 0; p < count; p++) {
                places[order[p]] = p;
            }
            return places;
        });
    }
}
