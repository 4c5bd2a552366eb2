package dev.kindling.spark.train;

import dev.kindling.nn.NetworkSpec;
import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.Examples;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A run's training and test shards, read on the executors and fitted to the network (its input
 * shape, its outputs as the classes' one-hot width): the driver never holds their examples.
 */
public record TrainingShards(Shards train, Shards test) {

    /** @param limit train on the first this many examples only; null for all */
    public static TrainingShards of(JavaSparkContext sc, SparkSession spark, DataSource source, NetworkSpec spec,
                                    int outputs, int partitions, Integer limit) {
        Examples train = source.train(spark).fitted(spec, outputs);
        if (limit != null) {
            train = train.limit(limit);
        }
        Examples test = source.test(spark).fitted(spec, outputs);
        Shards trainShards = Shards.of(sc, train, partitions, "kindling-train");
        Shards testShards = Shards.of(sc, test, partitions, "kindling-test");
        // the shards hold their own copy; what was cached to decode them is no longer needed
        train.release();
        test.release();
        return new TrainingShards(trainShards, testShards);
    }

    public void release() {
        train.release();
        test.release();
    }
}
