package dev.kindling.spark.train;

import java.util.Collections;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Runs a {@link ShardTask} on every shard and adds the partial results up, merging in place
 * into a zero that holds nothing until the first partial arrives (so no full-size zero is ever
 * built or shipped). With few shards, where {@code treeAggregate} would add no tree level and
 * merge every partial on the driver anyway, the job is submitted directly
 * ({@code SparkContext.runJob} with a named function and a result handler): the same merges,
 * without the per-job closure cleaning of treeAggregate's lambdas. With more shards it is
 * {@code treeAggregate}, so partials are merged on executors level by level.
 */
public final class ShardAggregation {
    private ShardAggregation() {
    }

    /** Whether treeAggregate of {@code partitions} at {@code depth} adds a level (Spark's own rule). */
    static boolean needsTree(int partitions, int depth) {
        int scale = Math.max((int) Math.ceil(Math.pow(partitions, 1.0 / depth)), 2);
        return partitions > scale + Math.ceil((double) partitions / scale);
    }

    /**
     * Runs {@code task} on every shard and merges the results into a fresh {@code zero}. Where a
     * shard's block was lost with its executor (the shards are locally checkpointed, so Spark
     * cannot recompute it), the shards are shipped again from the driver and the job reruns once
     * on a new zero: the tasks are deterministic, so the result is the one the first try would
     * have given.
     */
    static <R> R run(JavaSparkContext sc, Shards shards, ShardTask<R> task, Supplier<R> zero, Function2<R, R, R> merge,
                     Class<R> type, boolean forceTree) {
        try {
            return runOnce(sc, shards, task, zero.get(), merge, type, forceTree);
        } catch (Exception e) { // Spark's SparkException, undeclared by its Scala methods
            if (!Shards.lostBlock(e)) {
                throw ShardAggregation.<RuntimeException>rethrow(e);
            }
            shards.reship(sc);
            return runOnce(sc, shards, task, zero.get(), merge, type, forceTree);
        }
    }

    /** Throws {@code e} as it is, checked or not. */
    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Exception e) throws E {
        throw (E) e;
    }

    private static <R> R runOnce(JavaSparkContext sc, Shards shards, ShardTask<R> task, R zero,
                                 Function2<R, R, R> merge, Class<R> type, boolean forceTree) {
        if (forceTree || needsTree(shards.count(), SparkTrainer.TREE_DEPTH)) {
            return shards.rdd().mapPartitionsWithIndex(
                    (p, it) -> Collections.singletonList(task.run(p, it.next())).iterator(), true)
                    .treeAggregate(zero, merge, merge, SparkTrainer.TREE_DEPTH);
        }
        Merger<R> merger = new Merger<>(zero, merge);
        sc.sc().runJob(shards.rdd().rdd(), task, merger, ClassTag$.MODULE$.apply(type));
        return merger.total;
    }

    /** The driver-side result handler: merges each partial as its task finishes (one at a time). */
    private static final class Merger<R> extends AbstractFunction2<Object, R, BoxedUnit> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final transient Function2<R, R, R> merge;
        private transient R total;

        Merger(R zero, Function2<R, R, R> merge) {
            this.total = zero;
            this.merge = merge;
        }

        @Override
        public BoxedUnit apply(Object partition, R partial) {
            try {
                total = merge.call(total, partial);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return BoxedUnit.UNIT;
        }
    }
}
