package dev.kindling.bench.spark;

import dev.kindling.spark.exchange.Collective;
import dev.kindling.spark.exchange.Exchange;
import dev.kindling.spark.exchange.ExchangeSettings;
import dev.kindling.spark.exchange.SharedMemory;
import dev.kindling.spark.exchange.Slices;
import dev.kindling.spark.runtime.SparkSettings;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The collective alone: a Spark barrier stage on local[N] whose N tasks only run reduce-scatter
 * then all-gather of n floats, round after round. Per (N, n) it prints the median and p90 round
 * time (the slowest task's, per round), the bytes a task sent and received per round against
 * the 2(N-1)/N x 4n a ring would send, and the time a task waited for its peers.
 * <pre>
 * Run: java -cp BENCH_CLASSPATH dev.kindling.bench.spark.CollectiveBenchmark
 *          [--rounds 20] [--floats 10000,100000,1000000,10000000] [--tasks 2,4,8] [--chunk 1m]
 *          [--transport network|memory]
 * network: Spark's transport over loopback, as between executors; memory: the same-JVM exchange
 * that local[N] runs use.
 * </pre>
 */
public final class CollectiveBenchmark {
    /** Rounds run before the measured ones (JIT, buffers grown, connections warm). */
    static final int WARMUP = 3;

    private CollectiveBenchmark() {
    }

    public static void main(String[] argv) {
        Args args = new Args(argv);
        int rounds = Integer.parseInt(args.get("rounds", "20"));
        int[] sizes = ints(args.get("floats", "10000,100000,1000000,10000000"));
        int[] tasks = ints(args.get("tasks", "2,4,8"));
        String chunk = args.get("chunk", "1m");
        boolean memory = args.get("transport", "network").equals("memory");
        for (int n : tasks) {
            SparkConf conf = SparkSettings.configure(new SparkConf().setMaster("local[" + n + "]")
                    .setAppName("collective-benchmark").set(ExchangeSettings.CHUNK_BYTES, chunk))
                    // the tasks' results are a few numbers; Kindling's registrator knows its own classes only
                    .set("spark.kryo.registrationRequired", "false");
            try (JavaSparkContext sc = new JavaSparkContext(conf)) {
                for (int length : sizes) {
                    report(n, length, rounds, stage(sc, n, length, rounds, memory));
                }
            }
        }
        // BarrierTaskContext starts a non-daemon timer thread that outlives the SparkContext
        System.exit(0);
    }

    /** Each task's measured round times (ms), then its bytes sent, received and ms waited per round. */
    static List<double[]> stage(JavaSparkContext sc, int n, int length, int rounds, boolean memory) {
        List<Integer> ranks = IntStream.range(0, n).boxed().collect(Collectors.toList());
        RDD<Integer> partitions = sc.parallelize(ranks, n).rdd();
        // the Java API has no barrier(): RDDBarrier's Scala mapPartitions, with a serializable function
        return partitions.barrier().mapPartitions(new Task(length, rounds, memory), false, ClassTag$.MODULE$.apply(double[].class))
                .toJavaRDD().collect();
    }

    /** One task of the stage, as the Scala function RDDBarrier.mapPartitions takes. */
    static final class Task extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<double[]>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int length;
        private final int rounds;
        private final boolean memory;

        Task(int length, int rounds, boolean memory) {
            this.length = length;
            this.rounds = rounds;
            this.memory = memory;
        }

        @Override
        public scala.collection.Iterator<double[]> apply(scala.collection.Iterator<Integer> unused) {
            return scala.collection.Iterator$.MODULE$.single(task(length, rounds, memory));
        }
    }

    static double[] task(int length, int rounds, boolean memory) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int n = ctx.getTaskInfos().length;
        String executor = ctx.getTaskInfos()[rank].address();
        String host = executor.substring(0, executor.lastIndexOf(':'));
        String stage = "bench-" + ctx.stageId() + "." + ctx.stageAttemptNumber();
        try (Exchange c = memory ? SharedMemory.join(stage, rank, n, 120_000, ctx::isInterrupted)
                : connected(Collective.open(ExchangeSettings.fromSparkEnv(), rank, n, host, stage), ctx)) {
            float[] vector = new float[length];
            float[] slice = new float[Slices.end(rank, n, length) - Slices.start(rank, n, length)];
            SplittableRandom random = new SplittableRandom(rank);
            for (int i = 0; i < length; i++) {
                vector[i] = (float) random.nextDouble(-1, 1);
            }
            double[] result = new double[rounds + 3];
            long sent = 0;
            long received = 0;
            long waited = 0;
            for (int r = 0; r < WARMUP + rounds; r++) {
                if (r == WARMUP) {
                    sent = c.bytesSent();
                    received = c.bytesReceived();
                    waited = c instanceof Collective k ? k.waitNanos() : 0;
                }
                long t0 = System.nanoTime();
                c.reduceScatter(r, vector, length, new double[] {1}, slice);
                // the average, as a trainer would hold it, so the values stay bounded
                for (int i = 0; i < slice.length; i++) {
                    slice[i] /= n;
                }
                System.arraycopy(slice, 0, vector, Slices.start(rank, n, length), slice.length);
                c.allGather(r, vector, length, 0);
                if (r >= WARMUP) {
                    result[r - WARMUP] = (System.nanoTime() - t0) / 1e6;
                }
            }
            result[rounds] = (double) (c.bytesSent() - sent) / rounds;
            result[rounds + 1] = (double) (c.bytesReceived() - received) / rounds;
            result[rounds + 2] = ((c instanceof Collective k ? k.waitNanos() : 0) - waited) / 1e6 / rounds;
            return result;
        }
    }

    static Collective connected(Collective c, BarrierTaskContext ctx) {
        c.connect(ctx.allGather(c.address()));
        return c;
    }

    static void report(int n, int length, int rounds, List<double[]> tasks) {
        double[] slowest = new double[rounds];
        double sent = 0;
        double received = 0;
        double waited = 0;
        for (double[] t : tasks) {
            for (int r = 0; r < rounds; r++) {
                slowest[r] = Math.max(slowest[r], t[r]);
            }
            sent = Math.max(sent, t[rounds]);
            received = Math.max(received, t[rounds + 1]);
            waited += t[rounds + 2] / tasks.size();
        }
        double ring = 2.0 * (n - 1) / n * 4 * length;
        System.out.printf(Locale.ROOT, "tasks %d floats %,d rounds %d: median round %.2f ms (p90 %.2f), per task and round "
                        + "sent %,.0f B, received %,.0f B (2(N-1)/N x 4n = %,.0f B; sent x%.4f), waited %.2f ms%n",
                n, length, rounds, RoundBenchmark.median(slowest), RoundBenchmark.percentile(slowest, 0.9), sent, received,
                ring, sent / ring, waited);
    }

    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
