package dev.kindling.spark.runtime;

import dev.kindling.KindlingException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A session on a standalone master ({@code spark://HOST:PORT}, or several standby masters
 * {@code spark://H1:P1,H2:P2}) started within a time limit, failing with one line that names the
 * master and what went wrong. Spark alone retries registering with an absent or silent master for
 * a minute (three tries 20 s apart, inside SparkContext's constructor), then stops the context
 * and fails with "Cannot call methods on a stopped SparkContext"; and with a master that has no
 * usable worker it waits for executors forever. In turn, within {@link SparkStart#CONNECT_TIMEOUT}:
 * <ol>
 *   <li>a plain TCP connection to each master: an unknown host or a refused connection is
 *   reported at once;</li>
 *   <li>the context, built on a thread of its own so that a master that takes the connection and
 *   never answers (another service, or the master's web UI port) is given up on in time;</li>
 *   <li>a first executor: none means no worker could take the application.</li>
 * </ol>
 */
final class StandaloneStart {
    static final String SCHEME = "spark://";
    /**
     * The loggers of Spark's side of the registration, off while it is under way: they report each
     * failed try with a stack trace, and a failed start is reported in one line here.
     */
    private static final List<String> REGISTRATION_LOGGERS = List.of(
            "org.apache.spark.deploy.client.StandaloneAppClient$ClientEndpoint",
            "org.apache.spark.network.server.TransportChannelHandler",
            "org.apache.spark.network.client.TransportResponseHandler",
            "org.apache.spark.scheduler.cluster.StandaloneSchedulerBackend",
            "org.apache.spark.scheduler.AsyncEventQueue",
            "org.apache.spark.SparkContext");
    private static final long POLL_MILLIS = 100;

    private StandaloneStart() {
    }

    static SparkSession start(SparkConf conf, String master, long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        probe(master, deadline);
        SparkSession spark;
        try (SparkLogs.Quiet quiet = SparkLogs.quiet(REGISTRATION_LOGGERS)) {
            spark = register(conf, master, deadline, timeoutSeconds);
        }
        if (!conf.getBoolean("spark.dynamicAllocation.enabled", false)) { // else executors come with the first tasks
            awaitExecutor(spark, conf, master, deadline, timeoutSeconds);
        }
        return spark;
    }

    /** Connects to each master's port and back; fails, naming why, when none can be reached. */
    static void probe(String master, long deadline) {
        List<String> failures = new ArrayList<>();
        for (String hostPort : master.substring(SCHEME.length()).split(",")) {
            URI uri;
            try {
                uri = URI.create(SCHEME + hostPort.strip());
            } catch (IllegalArgumentException e) {
                return; // not HOST:PORT: Spark's own check names it
            }
            if (uri.getHost() == null || uri.getPort() < 0) {
                return;
            }
            String at = uri.getHost() + ":" + uri.getPort();
            int millis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), millis);
                return; // one master that takes connections: Spark registers with it
            } catch (UnknownHostException e) {
                failures.add("unknown host " + uri.getHost());
            } catch (ConnectException e) {
                failures.add("connection refused by " + at + " (is the master running, with that port?)");
            } catch (SocketTimeoutException e) {
                failures.add("no answer from " + at + " (a firewall, or the wrong host?)");
            } catch (NoRouteToHostException e) {
                failures.add("no route to " + at);
            } catch (IOException e) {
                failures.add(at + ": " + SparkErrors.firstLine(e));
            }
        }
        throw new KindlingException(master + ": cannot reach the Spark master: " + String.join("; ", failures));
    }

    /** Builds the context, which returns once the master has registered the application. */
    private static SparkSession register(SparkConf conf, String master, long deadline, long timeoutSeconds) {
        FutureTask<SparkSession> build = new FutureTask<>(() -> SparkSession.builder().config(conf).getOrCreate());
        Thread thread = new Thread(build, "kindling-spark-start");
        thread.setDaemon(true); // one that never returns must not keep the JVM from exiting
        thread.start();
        try {
            return build.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw noAnswer(master, timeoutSeconds, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (SparkErrors.firstLine(cause).contains("stopped SparkContext")) { // Spark's retries ran out
                throw noAnswer(master, timeoutSeconds, cause);
            }
            throw new KindlingException(master + ": cannot start Spark: " + SparkErrors.firstLine(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KindlingException(master + ": interrupted while starting Spark", e);
        }
    }

    private static KindlingException noAnswer(String master, long timeoutSeconds, Throwable cause) {
        return new KindlingException(master + ": the Spark master took the connection but did not answer within "
                + timeoutSeconds + " s (is that the master's port, 7077 by default, and not its web UI's? do the "
                + "master and this job agree on spark.authenticate?); " + SparkStart.CONNECT_TIMEOUT
                + " sets the wait", cause);
    }

    /** Waits for an executor besides the driver; stops the session and fails when none comes in time. */
    private static void awaitExecutor(SparkSession spark, SparkConf conf, String master, long deadline,
                                      long timeoutSeconds) {
        SparkContext sc = spark.sparkContext();
        while (sc.statusTracker().getExecutorInfos().length < 2) { // the driver is one of them
            if (sc.isStopped()) {
                throw new KindlingException(master + ": the Spark master ended the application as it started "
                        + "(see the master's log)");
            }
            if (System.nanoTime() - deadline > 0) {
                spark.stop();
                throw new KindlingException(master + ": no executor registered within " + timeoutSeconds + " s: the "
                        + "master has no workers, or none with the free cores and memory the job asks for "
                        + "(spark.executor.memory " + conf.get("spark.executor.memory", "1g") + ", spark.executor.cores "
                        + conf.get("spark.executor.cores", "all of a worker's") + "); " + SparkStart.CONNECT_TIMEOUT
                        + " sets the wait");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                spark.stop();
                throw new KindlingException(master + ": interrupted while waiting for executors", e);
            }
        }
    }
}
