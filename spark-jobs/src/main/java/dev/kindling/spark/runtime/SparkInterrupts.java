package dev.kindling.spark.runtime;

import dev.kindling.Interrupt;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.util.ShutdownHookManager;

/**
 * Ctrl-C with Spark running (see {@link Interrupt}). Spark stops its context from a shutdown hook
 * it runs through Hadoop's ShutdownHookManager (priority FileSystem's + 30), which fails the job
 * under way; Hadoop closes its file systems from the same manager after it (FileSystem's
 * priority). Between the two, a hook of ours waits for the command to report: by then the command
 * has run its cleanup (the metrics file closed, the registry's lock released) on open file
 * systems, and its one line is out before the JVM exits. From the signal on, Spark's logs are off
 * and uncaught exceptions of threads without a handler of their own are dropped, so that the
 * failures of the shutdown (killed tasks, a cancelled job, rejected callbacks) print no stack
 * traces.
 */
final class SparkInterrupts {
    /** How long the JVM's exit waits for the command's report (its cleanup and its line). */
    static final long REPORT_WAIT_MILLIS = 10_000;
    private static final int PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 20;
    private static boolean installed;

    private SparkInterrupts() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Interrupt.onSignal(() -> {
            SparkLogs.silence();
            // pools Spark shuts down reject the callbacks still arriving (a shuffle's fetches,
            // say), and their threads, or Scala's execution contexts (which print what they
            // cannot run to System.err), would print each rejection's stack trace. The
            // command's own line goes to the stream it was given at start, not through System.err.
            Thread.setDefaultUncaughtExceptionHandler((thread, e) -> { });
            System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        });
        ShutdownHookManager.get().addShutdownHook(() -> {
            if (Interrupt.happened()) {
                Interrupt.awaitReport(REPORT_WAIT_MILLIS);
            }
        }, PRIORITY, REPORT_WAIT_MILLIS + 1_000, TimeUnit.MILLISECONDS);
    }
}
