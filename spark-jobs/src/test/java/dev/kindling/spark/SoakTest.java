package dev.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** A shortened soak: the heap and the broadcast blocks stay flat over hundreds of rounds. */
class SoakTest {
    @Test
    void heapAndBroadcastBlocksStayFlatOverRounds() {
        Dataset train = IdxDirectory.open(IdxDirectory.findInstalled().orElse(IdxDirectory.DEBIAN_FASHION_MNIST))
                .loadTrain().subset(0, 10_000);
        SparkSession spark = SparkSession.builder()
                .config(SparkSettings.configure(new SparkConf().setMaster("local[2]").setAppName("soak-test")))
                .getOrCreate();
        try {
            List<Soak.Sample> s = Soak.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), train,
                    "784-100-10", 2, 400, 100);
            assertEquals(5, s.size(), s.toString());
            for (Soak.Sample sample : s) {
                assertEquals(0, sample.broadcastBlocks(), "every round's broadcast is destroyed: " + s);
            }
            // after the first 100 rounds (JIT, Spark's caches), the heap after GC does not grow
            long settled = s.get(1).heapBytes();
            long last = s.get(s.size() - 1).heapBytes();
            assertTrue(last < settled + (32L << 20), "heap grew from " + settled + " to " + last + ": " + s);
        } finally {
            spark.stop();
        }
    }
}
