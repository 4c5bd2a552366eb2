package dev.kindling.spark.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Spark's logs where a command has already said, or is about to say, all a user needs in one
 * line: silenced for good once the run is interrupted, and for a while around a failure Kindling
 * reports itself. Spark logs through Log4j 2 (the launcher's {@code conf/log4j2.properties}, or
 * Spark's own under spark-submit).
 */
final class SparkLogs {
    private SparkLogs() {
    }

    /** Every logger off from now on. */
    static void silence() {
        try {
            Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.OFF);
        } catch (LinkageError | RuntimeException e) {
            // Spark's logging was routed elsewhere: it stays as configured
        }
    }

    /** The named loggers off until the returned handle is closed, which gives them their levels back. */
    static Quiet quiet(List<String> loggers) {
        Map<String, Level> before = new LinkedHashMap<>();
        try {
            for (String name : loggers) {
                before.put(name, LogManager.getLogger(name).getLevel());
                Configurator.setLevel(name, Level.OFF);
            }
        } catch (LinkageError | RuntimeException e) {
            // Spark's logging was routed elsewhere: it stays as configured
        }
        return () -> {
            try {
                Configurator.setLevel(before);
            } catch (LinkageError | RuntimeException e) {
                // as above
            }
        };
    }

    /** Loggers quieted until {@link #close}. */
    interface Quiet extends AutoCloseable {
        @Override
        void close();
    }
}
