package dev.kindling.spark.train;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.data.HadoopIdxDirectory;
import dev.kindling.spark.data.IdxRanges;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A run's training and test shards, fitted to the network (its input shape, its outputs as the
 * classes' one-hot width). Raw IDX files are read by range on the executors ({@link IdxRanges}),
 * so the driver never holds their examples; the other sources are still decoded and put in
 * order on the driver, then shipped ({@link Shards#of}).
 */
public record TrainingShards(Shards train, Shards test) {

    /**
     * @param limit  train on the first this many examples only; null for all
     * @param hadoop the Hadoop settings executors read the files with
     */
    public static TrainingShards of(JavaSparkContext sc, SparkSession spark, DataSource source, NetworkSpec spec,
                                    int outputs, int partitions, Integer limit, Map<String, String> hadoop) {
        if (source instanceof HadoopIdxDirectory idx) {
            IdxRanges train = idx.ranges(false, hadoop);
            IdxRanges test = idx.ranges(true, hadoop);
            if (train != null && test != null) {
                int n = limit == null ? train.count() : Math.min(limit, train.count());
                return new TrainingShards(read(sc, idx, train, n, spec, outputs, partitions, "kindling-train"),
                        read(sc, idx, test, test.count(), spec, outputs, partitions, "kindling-test"));
            }
        }
        Dataset all = source.train(spark);
        Dataset train = limit == null ? all : all.subset(0, Math.min(limit, all.size()));
        Dataset test = source.test(spark);
        train = DataSources.fitted(train, spec, outputs);
        test = DataSources.fitted(test, spec, outputs);
        return new TrainingShards(Shards.of(sc, train, partitions, "kindling-train"),
                Shards.of(sc, test, partitions, "kindling-test"));
    }

    private static Shards read(JavaSparkContext sc, HadoopIdxDirectory idx, IdxRanges ranges, int examples,
                               NetworkSpec spec, int outputs, int partitions, String name) {
        Shape shape = new Shape(1, ranges.height(), ranges.width());
        if (!spec.accepts(shape)) {
            throw new KindlingException(ranges.images() + ": examples of shape " + shape
                    + " do not fit the network's input " + spec.input());
        }
        Integer option = idx.classesOption();
        if (option != null && option > outputs) {
            throw new KindlingException(ranges.images() + ": " + option + " classes, but the network has " + outputs
                    + " outputs");
        }
        int classes = option != null ? option : outputs;
        String countedBy = option != null ? "data-option classes" : "the network's outputs";
        return Shards.read(sc, ranges.reader(classes, countedBy, outputs), examples, partitions, name);
    }

    public void release() {
        train.release();
        test.release();
    }
}
