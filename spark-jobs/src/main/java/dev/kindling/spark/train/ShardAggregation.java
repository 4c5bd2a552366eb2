package dev.kindling.spark.train;

import dev.kindling.data.Dataset;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.function.Supplier;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Runs a {@link ShardTask} on every shard and adds the partial results up, merging in place
 * into a zero that holds nothing until the first partial arrives (so no full-size zero is ever
 * built or shipped). Partials are always added in shard order, never in the order their tasks
 * happen to finish, so a run's floats do not depend on scheduling: the same seed gives the same
 * bits.
 * <ul>
 *   <li>With few shards, where a tree would add no level (Spark's treeAggregate rule, {@link
 *       #needsTree}), the job is submitted directly ({@code SparkContext.runJob} with a named
 *       function and a result handler) and the driver adds the partials in shard order, holding
 *       those that arrive before an earlier shard's until it comes.</li>
 *   <li>With more shards, consecutive shards are grouped ({@link #groupSize} per group, as
 *       treeAggregate's scale): each group's partials are shuffled to one task, which adds them
 *       in shard order, and the driver adds the groups' sums in group order.</li>
 * </ul>
 */
public final class ShardAggregation {
    private ShardAggregation() {
    }

    /** Whether a tree of {@code partitions} at {@code depth} adds a level (Spark's treeAggregate rule). */
    static boolean needsTree(int partitions, int depth) {
        int scale = groupSize(partitions, depth);
        return partitions > scale + Math.ceil((double) partitions / scale);
    }

    /** Shards per group at the tree's first level (treeAggregate's scale). */
    static int groupSize(int partitions, int depth) {
        return Math.max((int) Math.ceil(Math.pow(partitions, 1.0 / depth)), 2);
    }

    /**
     * Runs {@code task} on every shard and merges the results into a fresh {@code zero}. A shard
     * lost with its executor is rebuilt by Spark within the job (the shards keep their lineage).
     */
    static <R> R run(JavaSparkContext sc, Shards shards, ShardTask<R> task, Supplier<R> zero, Function2<R, R, R> merge,
                     Class<R> type) {
        int n = shards.count();
        if (needsTree(n, SparkTrainer.TREE_DEPTH)) {
            return tree(sc, shards, task, zero, merge, type);
        }
        Merger<R> merger = new Merger<>(zero.get(), merge, n);
        sc.sc().runJob(shards.rdd().rdd(), task, merger, ClassTag$.MODULE$.apply(type));
        return merger.result();
    }

    /** Two levels: groups of consecutive shards added on executors, then the groups on the driver. */
    private static <R> R tree(JavaSparkContext sc, Shards shards, ShardTask<R> task, Supplier<R> zero,
                              Function2<R, R, R> merge, Class<R> type) {
        int n = shards.count();
        Groups groups = new Groups(n, groupSize(n, SparkTrainer.TREE_DEPTH));
        JavaPairRDD<Integer, R> partials = JavaPairRDD.fromJavaRDD(
                shards.rdd().mapPartitionsWithIndex(new Partial<>(task, zero.get(), merge), true));
        Merger<R> merger = new Merger<>(zero.get(), merge, groups.numPartitions());
        sc.sc().runJob(partials.partitionBy(groups).rdd(), new GroupSum<>(groups, merge), merger,
                ClassTag$.MODULE$.apply(type));
        return merger.result();
    }

    /** A shard's partial, added to the (shipped) zero like treeAggregate's, keyed by its shard. */
    private static final class Partial<R> implements
            Function2<Integer, Iterator<Dataset>, Iterator<Tuple2<Integer, R>>> {
        private static final long serialVersionUID = 1L;
        private final ShardTask<R> task;
        private final R zero;
        private final Function2<R, R, R> merge;

        Partial(ShardTask<R> task, R zero, Function2<R, R, R> merge) {
            this.task = task;
            this.zero = zero;
            this.merge = merge;
        }

        @Override
        public Iterator<Tuple2<Integer, R>> call(Integer p, Iterator<Dataset> shard) throws Exception {
            return Collections.singletonList(new Tuple2<>(p, merge.call(zero, task.run(p, shard.next())))).iterator();
        }
    }

    /** Shard p goes to group p / size: consecutive shards, in groups of {@code size}. */
    static final class Groups extends Partitioner {
        private static final long serialVersionUID = 1L;
        final int shards;
        final int size;

        Groups(int shards, int size) {
            this.shards = shards;
            this.size = size;
        }

        @Override
        public int numPartitions() {
            return (shards + size - 1) / size;
        }

        @Override
        public int getPartition(Object shard) {
            return (Integer) shard / size;
        }

        /** How many shards group {@code g} holds. */
        int count(int g) {
            return Math.min(size, shards - g * size);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Groups other && other.shards == shards && other.size == size;
        }

        @Override
        public int hashCode() {
            return 31 * shards + size;
        }
    }

    /** A group's task: its shards' partials added in shard order, whatever order the shuffle gives. */
    private static final class GroupSum<R> extends AbstractFunction2<TaskContext, scala.collection.Iterator<Tuple2<Integer, R>>, R>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Groups groups;
        private final Function2<R, R, R> merge;

        GroupSum(Groups groups, Function2<R, R, R> merge) {
            this.groups = groups;
            this.merge = merge;
        }

        @Override
        public R apply(TaskContext context, scala.collection.Iterator<Tuple2<Integer, R>> partials) {
            int g = context.partitionId();
            int first = g * groups.size;
            Merger<R> merger = new Merger<>(null, merge, groups.count(g));
            while (partials.hasNext()) {
                Tuple2<Integer, R> partial = partials.next();
                merger.add(partial._1() - first, partial._2());
            }
            return merger.result();
        }
    }

    /**
     * Adds partials {@code 0 .. count-1} in index order, whatever order they arrive in: each is
     * added as soon as all before it have been, and held until then (so at most one job's
     * partials are held). As the driver's result handler, Spark calls it one result at a time.
     */
    static final class Merger<R> extends AbstractFunction2<Object, R, BoxedUnit> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final transient Function2<R, R, R> merge;
        /** Partials that arrived before an earlier one; null where none is waiting. */
        private final transient Object[] waiting;
        private transient int next;
        private transient R total;

        /** @param zero what the partials are added to; null: the first partial is the start */
        Merger(R zero, Function2<R, R, R> merge, int count) {
            this.total = zero;
            this.merge = merge;
            this.waiting = new Object[count];
        }

        @Override
        public BoxedUnit apply(Object index, R partial) {
            add((Integer) index, partial);
            return BoxedUnit.UNIT;
        }

        @SuppressWarnings("unchecked")
        void add(int index, R partial) {
            if (partial == null || index < next || waiting[index] != null) {
                throw new IllegalStateException("partial " + index + " is " + (partial == null ? "null" : "a second one"));
            }
            waiting[index] = partial;
            while (next < waiting.length && waiting[next] != null) {
                R r = (R) waiting[next];
                waiting[next++] = null;
                try {
                    total = total == null ? r : merge.call(total, r);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        /** The sum of all the partials. */
        R result() {
            if (next < waiting.length) {
                throw new IllegalStateException("partial " + next + " of " + waiting.length + " never arrived");
            }
            return total;
        }
    }
}
