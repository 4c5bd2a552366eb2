package dev.kindling.spark.train;

import dev.kindling.backend.Backends;
import dev.kindling.config.DataParallel;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.spark.NaiveKryoRegistrator;
import dev.kindling.spark.TestSpark;
import dev.kindling.spark.runtime.SparkSettings;
import dev.kindling.train.TrainConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Per-round overhead (round time minus the slowest task's compute) of sync rounds on
 * local[2], for one variant per JVM:
 * <pre>
 *   naive      Kryo's default float serializers, a full-size zero, Spark's broadcast and result defaults
 *   emptyzero  naive with the empty zero
 *   raw        emptyzero with raw-bytes float blocks
 *   treeagg    raw with Kindling's broadcast/result settings, always through the tree (ShardAggregation)
 *   kindling   treeagg, but few shards merged by a direct job (what jobs use)
 *   local5     kindling in local mode with 5 local steps (overhead per optimizer step)
 * </pre>
 * Run: java -cp TEST_CLASSPATH dev.kindling.spark.train.RoundBenchmark VARIANT [ARCH] [ROUNDS]
 */
public final class RoundBenchmark {
    private RoundBenchmark() {
    }

    public static void main(String[] args) {
        String variant = args.length > 0 ? args[0] : "kindling";
        String arch = args.length > 1 ? args[1] : "784-1270-10";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        SparkConf conf = TestSpark.conf().setAppName("round-benchmark");
        boolean naive = !variant.equals("kindling") && !variant.equals("local5") && !variant.equals("treeagg");
        if (naive) {
            // Spark's defaults for what SparkSettings changes
            conf.set("spark.broadcast.compress", "true").set("spark.broadcast.checksum", "true")
                    .set("spark.task.maxDirectResultSize", "1m").set("spark.rpc.message.maxSize", "128");
        }
        if (variant.equals("naive") || variant.equals("emptyzero")) {
            conf.set("spark.kryo.registrator", NaiveKryoRegistrator.class.getName());
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            Shards train = Shards.of(sc, TestSpark.train(20_000), 2, "train");
            Network net = Network.build(NetworkSpec.mlp(arch, "he", 0), Backends.create("auto"));
            net.initialize(1);
            boolean local = variant.equals("local5");
            int steps = local ? 5 : 1;
            TrainConfig config = TrainConfig.defaults().withBatchSize(100).withMaxSteps((long) rounds * steps)
                    .withEpochs(1).withLearningRate(0.001).withTrainEvalSamples(100);
            SparkTrainer trainer = new SparkTrainer(sc, net,
                    TestSpark.settings(net, OptimizerConfig.of("adam"), config,
                    new DataParallel(local ? "local" : "sync", null, steps, 0, 0)), train, null, null);
            trainer.fullSizeZero = variant.equals("naive");
            trainer.forceTreeAggregate = !variant.equals("kindling") && !variant.equals("local5");
            List<RoundMetrics> seen = new ArrayList<>();
            trainer.fit(new SparkTrainer.Listener() {
                @Override
                public void onRound(RoundMetrics m) {
                    seen.add(m);
                }
            });
            List<RoundMetrics> warm = seen.subList(Math.min(10, seen.size() / 2), seen.size());
            double[] overhead = warm.stream().mapToDouble(m -> m.roundMs() - m.computeMs()).toArray();
            System.out.printf(Locale.ROOT, "variant %-9s params %,d rounds %d: median round %.1f ms, compute %.1f ms,"
                            + " overhead %.1f ms (p90 %.1f) [broadcast %.1f, aggregate %.1f, update %.1f]%s%n",
                    variant, net.parameters().length, warm.size(),
                    median(warm.stream().mapToDouble(RoundMetrics::roundMs).toArray()),
                    median(warm.stream().mapToDouble(RoundMetrics::computeMs).toArray()),
                    median(overhead), percentile(overhead, 0.9),
                    median(warm.stream().mapToDouble(RoundMetrics::broadcastMs).toArray()),
                    median(warm.stream().mapToDouble(RoundMetrics::aggregateMs).toArray()),
                    median(warm.stream().mapToDouble(RoundMetrics::updateMs).toArray()),
                    local ? String.format(Locale.ROOT, "; per optimizer step %.1f ms", median(overhead) / steps) : "");
        } finally {
            sc.stop();
        }
    }

    static double median(double[] v) {
        return percentile(v, 0.5);
    }

    static double percentile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
    }
}
