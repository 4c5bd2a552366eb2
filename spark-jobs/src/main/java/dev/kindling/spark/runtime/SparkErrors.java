package dev.kindling.spark.runtime;

import dev.kindling.KindlingException;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.fs.Path;

/**
 * Turns an error out of a Spark read into one line a user can act on. A {@link KindlingException}
 * thrown on an executor (a bad value, naming its file and row) reaches the driver as the cause
 * of Spark's "Job aborted" exception: its message is used as it is. Anything else (an unreadable
 * or corrupt file, a file of another type) is reported with the location and Spark's own first
 * line and that of the innermost cause. {@link #firstLine} also serves other I/O errors, whose
 * messages (HDFS's remote exceptions) can carry a server's stack trace.
 */
public final class SparkErrors {
    private static final int MAX_LINE = 400;

    private SparkErrors() {
    }

    public static KindlingException explain(Throwable e, Path at, String format) {
        Set<Throwable> seen = new HashSet<>();
        String informative = null;
        String root = null;
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof KindlingException k) {
                return t == e ? k : new KindlingException(k.getMessage(), e);
            }
            String line = firstLine(t);
            boolean wrapper = t.getCause() != null && (line.startsWith("Job aborted due to stage failure")
                    || line.startsWith("Exception thrown in awaitResult") || line.isEmpty());
            if (!wrapper && informative == null) {
                informative = line;
            }
            root = line;
        }
        String message = informative != null ? informative : root;
        if (root != null && !message.contains(root)) {
            message += " (" + root + ")";
        }
        return new KindlingException(at + ": cannot read as " + format + ": " + message, e);
    }

    /**
     * A job's failure as the {@link KindlingException} a task threw (its message, naming the
     * file and example), where one did; else {@code e} itself, to be rethrown as it is.
     */
    public static RuntimeException fromTask(Exception e) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof KindlingException k) {
                return t == e ? k : new KindlingException(k.getMessage(), e);
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }

    public static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl).strip();
        }
        return m.length() > MAX_LINE ? m.substring(0, MAX_LINE) + "..." : m;
    }
}
