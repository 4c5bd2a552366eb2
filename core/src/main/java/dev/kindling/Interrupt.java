package dev.kindling;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) of a run. The JVM answers it by running the shutdown hooks and exiting with
 * 130 (128 + the signal's number, as shells report it); among the hooks, Spark's stops its
 * context, which fails the job under way with an exception about a shut-down context. So that
 * this is reported as the interrupt it is, {@link #install} puts a handler in front of the JVM's
 * that first marks the run as interrupted and runs what commands asked for (Spark's quieting its
 * logs). A command that sees the mark throws {@link Stopped}, saying what is left and how to go
 * on; {@link Main} prints that one line, or "interrupted" for any other failure.
 */
public final class Interrupt {
    /** The JVM's exit status after SIGINT. */
    public static final int EXIT_CODE = 130;

    private static final List<Runnable> ACTIONS = new CopyOnWriteArrayList<>();
    private static final CountDownLatch REPORTED = new CountDownLatch(1);
    private static volatile boolean happened;
    private static boolean installed;

    private Interrupt() {
    }

    /** Handles SIGINT from now on (the launcher's JVM only: tests run commands in theirs). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Signal sigint = new Signal("INT");
        SignalHandler[] jvm = new SignalHandler[1];
        try {
            jvm[0] = Signal.handle(sigint, signal -> {
                mark();
                if (jvm[0] == SignalHandler.SIG_DFL || jvm[0] == SignalHandler.SIG_IGN) {
                    System.exit(EXIT_CODE);
                } else {
                    jvm[0].handle(signal); // the JVM's: runs the shutdown hooks, exits 130
                }
            });
        } catch (IllegalArgumentException e) {
            // the JVM keeps SIGINT to itself (-Xrs): interrupts are as they were
        }
    }

    /** Marks the run as interrupted and runs the registered actions; the signal handler's first step. */
    static void mark() {
        happened = true;
        for (Runnable action : ACTIONS) {
            try {
                action.run();
            } catch (RuntimeException e) {
                // the shutdown goes on regardless
            }
        }
    }

    public static boolean happened() {
        return happened;
    }

    /** Runs {@code action} when SIGINT arrives, before the shutdown hooks start. */
    public static void onSignal(Runnable action) {
        ACTIONS.add(action);
    }

    /** Called by Main once it has printed the run's last line. */
    public static void reported() {
        REPORTED.countDown();
    }

    /**
     * Waits up to {@code millis} for Main to print the run's last line: for a shutdown hook that
     * runs after the hook failing the command's work and before the JVM exits, without which the
     * line would race the JVM's exit.
     */
    public static void awaitReport(long millis) {
        try {
            REPORTED.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The one-line report of an interrupted run, for a command's catch clause once {@link
     * #happened}: {@code whatNow} says what is left and how to go on; {@code cause} is what
     * failed because of the shutdown.
     */
    public static Stopped stopped(String whatNow, Throwable cause) {
        return new Stopped(whatNow, cause);
    }

    /**
     * Stops work that does not go through Spark (and so is not failed by its shutdown) at a point
     * where it must not go on once interrupted, such as before a decision is written.
     */
    public static void check() {
        if (happened) {
            throw new Stopped("interrupted", null);
        }
    }

    /** An interrupted run: its message, after "kindling: ", says what is left and how to go on. */
    public static final class Stopped extends KindlingException {
        private static final long serialVersionUID = 1L;

        Stopped(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
