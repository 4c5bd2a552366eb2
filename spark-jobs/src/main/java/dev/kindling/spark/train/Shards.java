package dev.kindling.spark.train;

import dev.kindling.config.DataParallel;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Normalization;
import dev.kindling.nn.Shape;
import dev.kindling.spark.data.Example;
import dev.kindling.spark.data.Examples;
import dev.kindling.spark.data.RangeReader;
import dev.kindling.spark.runtime.SparkErrors;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * A data set split into N contiguous shards, one Spark partition each, every shard cached on
 * its executor as ONE {@link Dataset} block (uint8 pixels + labels). Shard p holds the examples
 * {@code [start(p), start(p+1))} of the data set's order, so a global example index maps to a
 * shard and a local index without any lookup table.
 *
 * <p>The shards are built where the examples lie and never pass through the driver: examples
 * read by range are read straight into their shard; decoded ones are gathered by index with
 * one shuffle. The blocks persist in memory, spilling to disk under memory pressure; a block
 * lost with its executor is rebuilt by Spark from the shuffle's files or, those lost too, from
 * the source (lineage).
 */
public final class Shards {
    private final JavaRDD<Dataset> rdd;
    private final int[] starts;
    private final int examples;

    private Shards(JavaRDD<Dataset> rdd, int[] starts) {
        this.rdd = rdd;
        this.starts = starts;
        this.examples = starts[starts.length - 1];
    }

    /** The shard count a run asks for: its {@code --partitions}, else Spark's default parallelism. */
    public static int count(JavaSparkContext sc, DataParallel parallel) {
        return parallel.partitions() != null ? parallel.partitions() : sc.defaultParallelism();
    }

    /** {@link #of(JavaSparkContext, Examples, int, String)} for a dataset held in memory already (a benchmark's sample). */
    public static Shards of(JavaSparkContext sc, Dataset data, int count, String name) {
        return of(sc, Examples.of(sc, data), count, name);
    }

    /**
     * Builds and caches {@code data} (fitted to the network: {@link Examples#fitted}) in
     * {@code count} shards (at most one per example).
     */
    public static Shards of(JavaSparkContext sc, Examples data, int count, String name) {
        if (data.outputs() == null) {
            throw new IllegalStateException("examples not fitted to a network: " + data.source());
        }
        int n = data.count();
        int shards = Math.max(1, Math.min(count, n));
        int[] starts = new int[shards + 1];
        for (int p = 0; p <= shards; p++) {
            starts[p] = (int) ((long) n * p / shards);
        }
        JavaRDD<Dataset> rdd;
        if (data.ranged()) {
            List<Integer> indices = new ArrayList<>(shards);
            for (int p = 0; p < shards; p++) {
                indices.add(p);
            }
            rdd = sc.parallelize(indices, shards).map(new ReadShard(data.reader(), starts));
        } else {
            rdd = data.rdd().mapToPair(new ByIndex())
                    .repartitionAndSortWithinPartitions(new Contiguous(starts))
                    .mapPartitionsWithIndex(new Gather(starts, data.source(), data.channels(), data.height(),
                            data.width(), data.outputs()), true);
        }
        rdd.setName(name);
        // kept as objects in memory (a serialized level would decode the whole shard every round),
        // written to disk when memory runs short
        rdd.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            rdd.count();
        } catch (Exception e) { // a bad example found where it is read fails the job: its message says what
            rdd.unpersist(false);
            throw SparkErrors.fromTask(e);
        }
        return new Shards(rdd, starts);
    }

    /** Keys an example by its index. */
    private static final class ByIndex implements PairFunction<Example, Integer, Example> {
        private static final long serialVersionUID = 1L;

        @Override
        public Tuple2<Integer, Example> call(Example e) {
            return new Tuple2<>(e.index, e);
        }
    }

    /** Shard p takes the indices {@code [starts[p], starts[p+1])}. */
    static final class Contiguous extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int[] starts;

        Contiguous(int[] starts) {
            this.starts = starts;
        }

        @Override
        public int numPartitions() {
            return starts.length - 1;
        }

        @Override
        public int getPartition(Object key) {
            int i = (Integer) key;
            int p = java.util.Arrays.binarySearch(starts, i);
            return p >= 0 ? Math.min(p, starts.length - 2) : -p - 2;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Contiguous c && java.util.Arrays.equals(starts, c.starts);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(starts);
        }
    }

    /** One shard's examples, sorted by index, as one dataset. */
    private record Gather(int[] starts, String source, int channels, int height, int width, int classes)
            implements Function2<Integer, Iterator<Tuple2<Integer, Example>>, Iterator<Dataset>> {
        @Override
        public Iterator<Dataset> call(Integer p, Iterator<Tuple2<Integer, Example>> examples) {
            List<Example> inOrder = new ArrayList<>(starts[p + 1] - starts[p]);
            while (examples.hasNext()) {
                inOrder.add(examples.next()._2());
            }
            return List.of(Examples.dataset(inOrder, starts[p], source, channels, height, width, classes)).iterator();
        }
    }

    /** A named function class (not a lambda), as {@link ShardTask} explains. */
    private static final class ReadShard implements org.apache.spark.api.java.function.Function<Integer, Dataset> {
        private static final long serialVersionUID = 1L;
        private final RangeReader reader;
        private final int[] starts;

        ReadShard(RangeReader reader, int[] starts) {
            this.reader = reader;
            this.starts = starts;
        }

        @Override
        public Dataset call(Integer p) {
            return reader.read(starts[p], starts[p + 1]);
        }
    }

    JavaRDD<Dataset> rdd() {
        return rdd;
    }

    /**
     * {@code normalize: auto} for a network of {@code input}, computed on the executors: each
     * shard's exact per-channel sums of pixels and of their squares, added on the driver.
     */
    public Normalization normalization(Shape input) {
        long[][] all = rdd.map(d -> {
            long[][] s = d.channelSums();
            return new long[][] {s[0], s[1], {(long) d.size() * d.height() * d.width()}};
        }).reduce((a, b) -> {
            long[][] sum = new long[3][];
            for (int k = 0; k < 3; k++) {
                sum[k] = new long[a[k].length];
                for (int c = 0; c < sum[k].length; c++) {
                    sum[k][c] = a[k][c] + b[k][c];
                }
            }
            return sum;
        });
        return Normalization.fromSums(all[0], all[1], all[2][0], input);
    }

    /** The shards' sizes, in shard order. */
    public int[] sizes() {
        int[] sizes = new int[count()];
        for (int p = 0; p < sizes.length; p++) {
            sizes[p] = starts[p + 1] - starts[p];
        }
        return sizes;
    }

    public int count() {
        return starts.length - 1;
    }

    public int examples() {
        return examples;
    }

    /** The first global index of shard {@code p}; {@code start(count())} is the example count. */
    int start(int p) {
        return starts[p];
    }

    /**
     * Splits global example indices by shard, keeping their order: element p holds shard p's
     * local indices (global minus the shard's start).
     */
    int[][] split(int[] global, int from, int to) {
        int shards = count();
        int[] counts = new int[shards];
        int[] owner = new int[to - from];
        for (int i = from; i < to; i++) {
            int p = shardOf(global[i]);
            owner[i - from] = p;
            counts[p]++;
        }
        int[][] local = new int[shards][];
        for (int p = 0; p < shards; p++) {
            local[p] = new int[counts[p]];
        }
        int[] fill = new int[shards];
        for (int i = from; i < to; i++) {
            int p = owner[i - from];
            local[p][fill[p]++] = global[i] - starts[p];
        }
        return local;
    }

    int shardOf(int global) {
        int lo = 0;
        int hi = count() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= global) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    public void release() {
        rdd.unpersist(false);
    }
}
