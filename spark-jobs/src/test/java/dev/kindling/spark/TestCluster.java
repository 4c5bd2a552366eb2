package dev.kindling.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@code scripts/cluster} for the end-to-end tests: its commands with a time limit, the
 * cluster's process ids, and a teardown that leaves nothing running.
 */
public final class TestCluster {
    public static final Path ROOT = Path.of(System.getProperty("kindling.root", "..")).toAbsolutePath().normalize();
    public static final Path SCRIPT = ROOT.resolve("scripts").resolve("cluster");
    public static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** The commands running now: a stopped test JVM ends them too (the submitted driver above all). */
    public static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    private TestCluster() {
    }

    public record Run(int code, String output) {
    }

    /** Runs a command with its output in {@code log}; kills its process tree after {@code seconds}. */
    public static Run run(Path log, long seconds, String... command) throws IOException, InterruptedException {
        return run(log, seconds, Map.of(), command);
    }

    /** {@link #run(Path, long, String...)} with {@code env} over {@link #spawn}'s environment. */
    public static Run run(Path log, long seconds, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        Process p = spawn(log, env, command);
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                destroyTree(p.toHandle());
                p.waitFor(10, TimeUnit.SECONDS);
                return new Run(-1, "timed out after " + seconds + " s: " + String.join(" ", command) + "\n"
                        + Files.readString(log));
            }
            return new Run(p.exitValue(), Files.readString(log));
        } finally {
            RUNNING.remove(p);
        }
    }

    /** Starts a command with its output in {@code log}, without waiting; it is in {@link #RUNNING} until ended. */
    public static Process spawn(Path log, String... command) throws IOException {
        return spawn(log, Map.of(), command);
    }

    /** {@link #spawn(Path, String...)} with {@code env} over the defaults (a submitted driver's heap: 2 GB). */
    public static Process spawn(Path log, Map<String, String> env, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA", JAVA);
        pb.environment().put("KINDLING_JAVA_OPTS", "-Xmx2g");
        pb.environment().putAll(env);
        Process p = pb.start();
        RUNNING.add(p);
        return p;
    }

    /** The process ids of the cluster's daemons, from the pid files {@code start} writes. */
    public static List<Long> pids(Path dir) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted().toList()) {
                out.add(Long.parseLong(Files.readString(f).strip()));
            }
        } catch (IOException | NumberFormatException e) {
            // no directory or a half-written file: nothing more to find
        }
        return out;
    }

    /**
     * Stops the cluster with the script, then kills whatever of it still runs: each daemon
     * recorded in a pid file (if it is still a Spark daemon) and its descendants, the executors.
     */
    public static void stop(Path dir) {
        List<Long> daemons = pids(dir);
        try {
            run(dir.resolveSibling("stop.log"), 60, SCRIPT.toString(), "stop", "--dir", dir.toString());
        } catch (IOException e) {
            // fall through to killing the processes directly
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (long pid : daemons) {
            ProcessHandle.of(pid).filter(h -> h.info().commandLine().orElse("").contains("org.apache.spark.deploy"))
                    .ifPresent(TestCluster::destroyTree);
        }
    }

    public static void destroyTree(ProcessHandle root) {
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        root.destroyForcibly();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
