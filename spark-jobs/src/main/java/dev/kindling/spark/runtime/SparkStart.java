package dev.kindling.spark.runtime;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the Spark session of every command, so that each has the same start: Ctrl-C reported
 * as an interrupt ({@link SparkInterrupts}) and, on a standalone master, a bounded wait for the
 * master and a first executor ({@link StandaloneStart}) where Spark alone would retry for a
 * minute and then fail with a stack trace about a stopped context.
 */
public final class SparkStart {
    /** How long a start waits for a {@code spark://} master and a first executor (Spark's time format). */
    public static final String CONNECT_TIMEOUT = "spark.kindling.connectTimeout";
    static final String DEFAULT_CONNECT_TIMEOUT = "30s";

    private SparkStart() {
    }

    /** The session of {@code conf} (as {@link SparkSettings#forCommand} made it), started. */
    public static SparkSession session(SparkConf conf) {
        SparkInterrupts.install();
        String master = conf.get("spark.master", "");
        if (master.startsWith(StandaloneStart.SCHEME)) {
            return StandaloneStart.start(conf, master, conf.getTimeAsSeconds(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
