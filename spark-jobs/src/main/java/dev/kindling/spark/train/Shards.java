package dev.kindling.spark.train;

import dev.kindling.config.DataParallel;
import dev.kindling.data.Dataset;
import dev.kindling.spark.data.RangeReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.StorageLevel;

/**
 * A dataset split into N contiguous shards, one Spark partition each, every shard cached on
 * its executor as ONE {@link Dataset} block (uint8 pixels + labels). Shard p holds the examples
 * {@code [start(p), start(p+1))} of the original order, so a global example index maps to a
 * shard and a local index without any lookup table.
 *
 * <p>The RDD is locally checkpointed once built: its lineage, and with it the parallelized
 * data inside the partitions, is cut, so later tasks ship a partition index instead of the
 * shard. A lost executor loses its shards with it, which Spark cannot recompute: the shards keep
 * the data on the driver and are shipped again ({@link #reship}) when a job fails and a block is
 * found lost ({@link #lostBlock}).
 */
public final class Shards {
    private JavaRDD<Dataset> rdd;
    private final int[] starts;
    private final int examples;
    /**
     * The data on the driver, to ship again where an executor was lost; null for shards read on
     * the executors ({@link #read}), which Spark rebuilds from their source by lineage.
     */
    private final Dataset data;

    private Shards(JavaRDD<Dataset> rdd, int[] starts, Dataset data) {
        this.rdd = rdd;
        this.starts = starts;
        this.examples = starts[starts.length - 1];
        this.data = data;
    }

    /** Splits, ships and caches {@code data} in {@code count} shards (at most one per example). */
    /** The shard count a run asks for: its {@code --partitions}, else Spark's default parallelism. */
    public static int count(JavaSparkContext sc, DataParallel parallel) {
        return parallel.partitions() != null ? parallel.partitions() : sc.defaultParallelism();
    }

    public static Shards of(JavaSparkContext sc, Dataset data, int count, String name) {
        int n = data.size();
        int shards = Math.max(1, Math.min(count, n));
        int[] starts = new int[shards + 1];
        for (int p = 0; p < shards; p++) {
            starts[p] = (int) ((long) n * p / shards);
        }
        starts[shards] = n;
        return new Shards(ship(sc, data, starts, name), starts, data);
    }

    /**
     * Shards read where they are computed, never passing through the driver: shard p is
     * {@code reader.read(start(p), start(p + 1))} of {@code examples} examples, cached as one block that
     * spills to disk under memory pressure. A block lost with its executor is read again from
     * the source by Spark itself.
     */
    public static Shards read(JavaSparkContext sc, RangeReader reader, int examples, int count, String name) {
        int shards = Math.max(1, Math.min(count, examples));
        int[] starts = new int[shards + 1];
        for (int p = 0; p <= shards; p++) {
            starts[p] = (int) ((long) examples * p / shards);
        }
        List<Integer> indices = new ArrayList<>(shards);
        for (int p = 0; p < shards; p++) {
            indices.add(p);
        }
        JavaRDD<Dataset> rdd = sc.parallelize(indices, shards).map(new ReadShard(reader, starts)).setName(name);
        // kept as objects in memory (a serialized level would decode the whole shard every round),
        // written to disk when memory runs short
        rdd.persist(StorageLevel.MEMORY_AND_DISK());
        rdd.count();
        return new Shards(rdd, starts, null);
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

    private static JavaRDD<Dataset> ship(JavaSparkContext sc, Dataset data, int[] starts, String name) {
        int shards = starts.length - 1;
        List<Dataset> parts = new ArrayList<>(shards);
        for (int p = 0; p < shards; p++) {
            parts.add(data.subset(starts[p], starts[p + 1]));
        }
        JavaRDD<Dataset> rdd = sc.parallelize(parts, shards).setName(name);
        rdd.rdd().localCheckpoint();
        rdd.count();
        return rdd;
    }

    /** Ships the shards again from the driver, after an executor holding some of them was lost. */
    void reship(JavaSparkContext sc) {
        if (data == null) {
            return; // read on the executors: Spark reads a lost block again from its source
        }
        String name = rdd.name();
        rdd.unpersist(false);
        rdd = ship(sc, data, starts, name);
    }

    /**
     * Whether a shard's locally checkpointed block is gone (with its executor, or removed): the
     * block manager master, which drops a lost executor's blocks before Spark gives up on a job
     * that needed them, knows no copy of it. Asked after a job failed, to tell a lost shard
     * (ship the shards again and rerun) from any other failure (rethrown), whatever the
     * failure's message says.
     */
    boolean lostBlock() {
        int id = rdd.id();
        BlockId[] blocks = new BlockId[count()];
        for (int p = 0; p < blocks.length; p++) {
            blocks[p] = new RDDBlockId(id, p);
        }
        var locations = SparkEnv.get().blockManager().master().getLocations(blocks);
        for (int p = 0; p < blocks.length; p++) {
            if (locations.apply(p).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the shards were read on the executors (no copy on the driver). */
    public boolean readOnExecutors() {
        return data == null;
    }

    JavaRDD<Dataset> rdd() {
        return rdd;
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
