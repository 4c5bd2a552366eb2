package dev.kindling.spark;

import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.train.TrainConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BlockId;

/**
 * A long run of sync rounds on {@code local[2]} that samples, every so many rounds, the driver's
 * heap after a full GC (in local mode the executors share the driver's JVM, so this is their
 * heap too), the JVM's direct and mapped buffers, and the broadcast blocks the block manager
 * still holds. Flat figures mean no leak per round; every round creates and destroys one
 * broadcast, so a leak shows as a growing block count.
 *
 * <p>Usage: {@code Soak [--rounds N] [--every N] [--arch A] [--partitions N] [--data DIR]}
 */
public final class Soak {
    /** One sample: after {@code round} rounds. */
    public record Sample(long round, long heapBytes, long nativeBufferBytes, int broadcastBlocks, double roundMs) {
        String line() {
            return String.format(Locale.ROOT, "%8d  %10.1f  %10.1f  %9d  %8.2f", round, heapBytes / 1048576.0,
                    nativeBufferBytes / 1048576.0, broadcastBlocks, roundMs);
        }
    }

    private Soak() {
    }

    public static void main(String[] args) {
        long rounds = 1000;
        long every = 100;
        String arch = "784-100-10";
        int partitions = 2;
        Path data = IdxDirectory.findInstalled().orElse(IdxDirectory.DEBIAN_FASHION_MNIST);
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--rounds" -> rounds = Long.parseLong(v);
                case "--every" -> every = Long.parseLong(v);
                case "--arch" -> arch = v;
                case "--partitions" -> partitions = Integer.parseInt(v);
                case "--data" -> data = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        SparkSession spark = SparkSession.builder()
                .config(SparkSettings.configure(new SparkConf().setMaster("local[2]").setAppName("kindling-soak")))
                .getOrCreate();
        try {
            Dataset train = IdxDirectory.open(data).loadTrain();
            System.out.printf(Locale.ROOT, "soak: %d sync rounds of batch 100, %s, %d partitions, local[2]%n",
                    rounds, arch, partitions);
            System.out.println("   round     heap MiB  buffers MiB  broadcasts  round ms");
            for (Sample s : run(JavaSparkContext.fromSparkContext(spark.sparkContext()), train, arch, partitions,
                    rounds, every)) {
                System.out.println(s.line());
            }
        } finally {
            spark.stop();
        }
    }

    /** Trains {@code rounds} sync rounds of batch 100 (over the epochs it takes) and samples every {@code every}. */
    public static List<Sample> run(JavaSparkContext sc, Dataset train, String arch, int partitions, long rounds,
            long every) {
        Shards shards = Shards.of(sc, train, partitions, "soak");
        List<Sample> samples = new ArrayList<>();
        try {
            Network net = Network.build(NetworkSpec.mlp(arch, "he", 0), Backends.create("auto"));
            net.initialize(1);
            TrainConfig config = TrainConfig.defaults().withBatchSize(100).withSeed(1).withLearningRate(0.001)
                    .withEpochs(Integer.MAX_VALUE).withMaxSteps(rounds).withTrainEvalSamples(100);
            SparkTrainer trainer = new SparkTrainer(sc, net, OptimizerConfig.of("adam"), config,
                    new SparkTrainer.Settings("sync", 1, 0, "auto"), shards, null, null);
            double[] roundMs = new double[1];
            samples.add(sample(0, 0));
            trainer.fit(new SparkTrainer.Listener() {
                @Override
                public void onRound(RoundMetrics m) {
                    roundMs[0] += m.roundMs();
                    if (m.round() % every == 0) {
                        samples.add(sample(m.round(), roundMs[0] / every));
                        roundMs[0] = 0;
                    }
                }
            });
        } finally {
            shards.release();
        }
        return samples;
    }

    private static int broadcastBlocks() {
        return SparkEnv.get().blockManager().getMatchingBlockIds((BlockId id) -> id.isBroadcast()).size();
    }

    private static Sample sample(long round, double roundMs) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long buffers = ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed).sum();
        // Destroyed broadcasts and the task binaries the GC just released are removed
        // asynchronously (ContextCleaner): wait until the count stops falling.
        int broadcasts = broadcastBlocks();
        for (int i = 0; i < 40; i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            int now = broadcastBlocks();
            if (now >= broadcasts && i >= 4) {
                break;
            }
            broadcasts = Math.min(broadcasts, now);
        }
        return new Sample(round, heap, buffers, broadcasts, roundMs);
    }
}
