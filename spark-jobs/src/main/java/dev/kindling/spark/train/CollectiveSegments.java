package dev.kindling.spark.train;

import dev.kindling.Interrupt;
import dev.kindling.KindlingException;
import dev.kindling.spark.exchange.ExchangeSettings;
import dev.kindling.spark.exchange.Rendezvous;
import dev.kindling.spark.runtime.SparkErrors;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The driver's side of the collective exchange: whether the cluster can run it, and each
 * segment as one barrier stage with a task per shard ({@link SegmentTask}). A barrier stage
 * whose task fails is not recovered by Spark (it aborts the job), so a failed segment is run
 * again here from the state the driver holds, which the plan's broadcast still carries, within
 * a budget of attempts ({@value #RETRIES}).
 */
final class CollectiveSegments {
    /** How long a segment should take, at most, when no checkpoint or epoch end comes sooner. */
    static final String SEGMENT_SECONDS = "spark.kindling.exchange.segmentSeconds";
    /** Times a failed segment is run again before the run stops. */
    static final String RETRIES = "spark.kindling.exchange.segmentRetries";
    static final int DEFAULT_RETRIES = 2;
    /** How long the driver waits for executors to offer a slot per shard before it chooses the driver exchange. */
    static final long SLOT_WAIT_MILLIS = 10_000;

    /** The driver's rendezvous of the running application (none on local[N], whose tasks share one JVM). */
    private static Rendezvous rendezvous;
    private static String rendezvousApp;

    private final JavaSparkContext sc;
    private final Shards shards;
    private final int retries;

    CollectiveSegments(JavaSparkContext sc, Shards shards) {
        this.sc = sc;
        this.shards = shards;
        this.retries = sc.getConf().getInt(RETRIES, DEFAULT_RETRIES);
        if (retries < 0) {
            throw new KindlingException(RETRIES + ": " + retries + " must be >= 0");
        }
    }

    /** A segment's results, one per shard in shard order, with the stage's time and the attempts it took. */
    record Outcome(SegmentResult[] results, long stageNanos, int attempts) {
    }

    /** The cluster cannot run barrier stages for this job (its lineage, its resources); say why and use the driver. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * Why the collective exchange cannot run {@code shards} tasks at once here, or null where it
     * can: dynamic allocation (executors may leave mid-segment), or fewer task slots than shards
     * (waiting a little for executors still registering).
     */
    static String whyNot(JavaSparkContext sc, int shards) {
        SparkConf conf = sc.getConf();
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            return "dynamic allocation is on (spark.dynamicAllocation.enabled), and a barrier stage needs a fixed set "
                    + "of executors";
        }
        int slots = slots(sc);
        // local[N] has its slots from the start; a cluster's executors may still be registering
        long deadline = System.currentTimeMillis() + (oneJvm(sc) ? 0 : SLOT_WAIT_MILLIS);
        while (slots < shards && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            slots = slots(sc);
        }
        if (slots < shards) {
            return String.format(Locale.ROOT, "the collective exchange runs one task per shard at once: %d shards, "
                    + "and the cluster has %d task slots (executor cores / spark.task.cpus); give --partitions %d or "
                    + "fewer", shards, slots, Math.max(1, slots));
        }
        return null;
    }

    /**
     * Whether every task runs in the driver's JVM: {@code local} and {@code local[N]}, not
     * {@code local-cluster[...]}, whose executors are JVMs of their own.
     */
    static boolean oneJvm(JavaSparkContext sc) {
        String master = sc.master();
        return master.equals("local") || master.startsWith("local[");
    }

    /** How long a segment should take at most ({@value #SEGMENT_SECONDS}, default 10), read once per run. */
    static double segmentSeconds(JavaSparkContext sc) {
        String value = sc.getConf().get(SEGMENT_SECONDS, "10");
        try {
            double seconds = Double.parseDouble(value);
            if (seconds > 0 && Double.isFinite(seconds)) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new KindlingException(SEGMENT_SECONDS + ": \"" + value + "\" is not a number of seconds > 0");
    }

    /** Tasks the cluster can run at once now. */
    static int slots(JavaSparkContext sc) {
        return sc.sc().maxNumConcurrentTasks(sc.sc().resourceProfileManager().defaultResourceProfile());
    }

    /**
     * Where this application's tasks meet ({@link Rendezvous}), started on first use and closed
     * with the application; null on {@code local[N]}.
     */
    static synchronized String rendezvous(JavaSparkContext sc) {
        if (oneJvm(sc)) {
            return null;
        }
        if (rendezvous == null || !sc.sc().applicationId().equals(rendezvousApp)) {
            if (rendezvous != null) {
                rendezvous.close();
            }
            SparkConf conf = sc.getConf();
            String host = conf.get("spark.driver.host");
            Rendezvous started = new Rendezvous(ExchangeSettings.fromSparkEnv(),
                    conf.get("spark.driver.bindAddress", host), host);
            rendezvous = started;
            rendezvousApp = sc.sc().applicationId();
            sc.sc().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
                @Override
                public void onApplicationEnd(org.apache.spark.scheduler.SparkListenerApplicationEnd end) {
                    synchronized (CollectiveSegments.class) {
                        started.close();
                        if (rendezvous == started) {
                            rendezvous = null;
                        }
                    }
                }
            });
        }
        return rendezvous.address();
    }

    /** Runs {@code plan}'s segment, again after a failure while attempts are left; {@code notes} hears of each rerun. */
    Outcome run(SegmentPlan plan, Consumer<String> notes) {
        long last = plan.firstRound() + plan.roundCount() - 1;
        String rounds = plan.roundCount() == 1 ? "round " + last : "rounds " + plan.firstRound() + "-" + last;
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            try {
                ClassTag<SegmentResult> tag = ClassTag$.MODULE$.apply(SegmentResult.class);
                RDD<SegmentResult> stage = shards.rdd().rdd().barrier().mapPartitions(new SegmentTask(plan), false, tag);
                SegmentResult[] results = JavaRDD.fromRDD(stage, tag).collect().toArray(new SegmentResult[0]);
                return new Outcome(results, System.nanoTime() - start, attempt);
            } catch (RuntimeException e) {
                if (Interrupt.happened()) {
                    throw e;
                }
                String unsupported = unsupported(e);
                if (unsupported != null) {
                    throw new Unsupported(unsupported, e);
                }
                String cause = cause(e);
                if (attempt > retries) {
                    throw new KindlingException("the collective segment of " + rounds + " failed " + attempt
                            + (attempt == 1 ? " time" : " times") + ", the last with: " + cause + "; the run stops here "
                            + "(raise " + RETRIES + ", or give --exchange driver)", e);
                }
                notes.accept("the collective segment of " + rounds + " failed (" + cause + "); running it again from "
                        + "round " + plan.firstRound() + " (attempt " + (attempt + 1) + " of " + (retries + 1) + ")");
            }
        }
    }

    /** Where Spark refused the barrier stage itself (not a task's failure): why, else null. */
    private static String unsupported(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (name.startsWith("BarrierJob")) {
                return "Spark cannot run this job's shards as a barrier stage (" + SparkErrors.firstLine(t) + ")";
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** A failure's cause in one line: a task's KindlingException (a peer's timeout names it), else the first line. */
    private static String cause(RuntimeException e) {
        RuntimeException task = SparkErrors.fromTask(e);
        String line = SparkErrors.firstLine(task);
        int named = line.indexOf("KindlingException: ");
        return named >= 0 ? line.substring(named + "KindlingException: ".length()) : line;
    }
}
