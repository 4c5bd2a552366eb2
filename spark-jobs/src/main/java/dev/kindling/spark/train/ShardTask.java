package dev.kindling.spark.train;

import dev.kindling.data.Dataset;
import java.io.Serializable;
import org.apache.spark.TaskContext;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * What one task computes from its shard, as a named function class rather than a lambda:
 * Spark's closure cleaner parses the bytecode of the class that defines a Scala or Java-API
 * lambda on every job, which costs milliseconds a round; a plain class is left alone.
 *
 * @param <R> the partial result sent back to the driver
 */
public abstract class ShardTask<R> extends AbstractFunction2<TaskContext, Iterator<Dataset>, R> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The partial result of shard {@code partition}. */
    abstract R run(int partition, Dataset shard);

    @Override
    public final R apply(TaskContext context, Iterator<Dataset> shard) {
        return run(context.partitionId(), shard.next());
    }
}
