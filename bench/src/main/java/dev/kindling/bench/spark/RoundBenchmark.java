package dev.kindling.bench.spark;

import dev.kindling.backend.Backends;
import dev.kindling.config.DataParallel;
import dev.kindling.config.TrainSettings;
import dev.kindling.data.IdxDirectory;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.spark.runtime.SparkSettings;
import dev.kindling.spark.train.RoundMetrics;
import dev.kindling.spark.train.Shards;
import dev.kindling.spark.train.SparkTrainer;
import dev.kindling.train.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Per-round overhead (round time minus the slowest task's compute) of Kindling's rounds on
 * local[2], one variant per JVM, through the trainer jobs use:
 * <pre>
 *   naive      Kryo's default float serializers, Spark's broadcast and task-result defaults
 *   raw        naive with raw-bytes float blocks
 *   kindling   raw with Kindling's broadcast and result settings (what jobs use)
 *   local5     kindling in local mode with 5 local steps (overhead per optimizer step)
 * </pre>
 * More than 5 partitions take the two-level tree instead of one direct job.
 * Run: java -cp BENCH_CLASSPATH dev.kindling.bench.spark.RoundBenchmark DATA_DIR VARIANT [ARCH] [ROUNDS] [PARTITIONS]
 */
public final class RoundBenchmark {
    private RoundBenchmark() {
    }

    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        String variant = args.length > 1 ? args[1] : "kindling";
        String arch = args.length > 2 ? args[2] : "784-1270-10";
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        int partitions = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        SparkConf conf = SparkSettings.configure(new SparkConf().setMaster("local[2]").setAppName("round-benchmark"));
        if (variant.equals("naive") || variant.equals("raw")) {
            // Spark's defaults for what SparkSettings changes
            conf.set("spark.broadcast.compress", "true").set("spark.broadcast.checksum", "true")
                    .set("spark.task.maxDirectResultSize", "1m").set("spark.rpc.message.maxSize", "128");
        }
        if (variant.equals("naive")) {
            conf.set("spark.kryo.registrator", NaiveKryoRegistrator.class.getName());
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            var all = IdxDirectory.open(data).loadTrain();
            Shards train = Shards.of(sc, all.subset(0, Math.min(20_000, all.size())), partitions, "train");
            Network net = Network.build(NetworkSpec.mlp(arch, "he", 0), Backends.create("auto"));
            net.initialize(1);
            boolean local = variant.equals("local5");
            int steps = local ? 5 : 1;
            TrainConfig config = TrainConfig.defaults().withBatchSize(100).withMaxSteps((long) rounds * steps)
                    .withEpochs(1).withLearningRate(0.001).withTrainEvalSamples(100);
            TrainSettings settings = new TrainSettings(net.spec(), OptimizerConfig.of("adam"), config, "auto",
                    sc.master(), new DataParallel(local ? "local" : "sync", partitions, steps, 0, 0));
            SparkTrainer trainer = new SparkTrainer(sc, net, settings, train, null, null);
            List<RoundMetrics> seen = new ArrayList<>();
            trainer.fit(new SparkTrainer.Listener() {
                @Override
                public void onRound(RoundMetrics m) {
                    seen.add(m);
                }
            });
            List<RoundMetrics> warm = seen.subList(Math.min(10, seen.size() / 2), seen.size());
            double[] overhead = warm.stream().mapToDouble(m -> m.roundMs() - m.computeMs()).toArray();
            System.out.printf(Locale.ROOT, "variant %-9s params %,d partitions %d rounds %d: median round %.1f ms, "
                            + "compute %.1f ms, overhead %.1f ms (p90 %.1f) [broadcast %.1f, aggregate %.1f, "
                            + "update %.1f]%s%n",
                    variant, net.parameters().length, partitions, warm.size(),
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
