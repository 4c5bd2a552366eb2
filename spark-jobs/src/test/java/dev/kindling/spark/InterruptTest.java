package dev.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on a Spark command, sent as SIGINT to the launcher's JVM once the work is under way:
 * exit code 130 and one line saying what is left and how to go on, no stack trace, and the run's
 * state as docs/faults.md says (train's checkpoint, retrain's registry without its lock, a
 * sweep's finished trials).
 */
public class InterruptTest {
    static final String DATA = TestSpark.fashionMnist().toString();
    /** Long enough for each command to be interrupted long before it would finish. */
    static final String EPOCHS = "200";

    @TempDir
    Path tmp;

    @Test
    void trainSaysHowToResumeFromItsCheckpoint() throws Exception {
        Path out = tmp.resolve("run");
        Launcher kindling = Launcher.in(Files.createDirectories(tmp.resolve("launcher")));
        Process p = kindling.start("", "train", "--data", DATA, "--out", out.toString(), "--master", "local[2]",
                "--partitions", "2", "--arch", "784-16-10", "--limit", "2000", "--batch", "100", "--epochs", EPOCHS,
                "--checkpoint-every", "5");
        Path checkpoint = out.resolve("checkpoint").resolve("checkpoint.json");
        List<String> err = interrupt(kindling, p, () -> Files.exists(checkpoint) && metricLines(out) > 10);

        assertTrue(err.get(0).startsWith("kindling: interrupted"), err.get(0));
        assertTrue(err.get(0).contains(out.toString()) && err.get(0).contains("--resume"), err.get(0));
        JsonNode saved = Json.JSON.readTree(checkpoint.toFile());
        assertTrue(saved.get("round").asLong() >= 5, "the checkpoint is whole: " + saved);
        assertTrue(err.get(0).contains("round " + saved.get("round").asLong()), err.get(0));
        assertFalse(Files.exists(out.resolve("model")), "no model of an unfinished run");
    }

    @Test
    void retrainReleasesTheRegistryAndRecordsNothing() throws Exception {
        Path registry = tmp.resolve("registry");
        Launcher kindling = Launcher.in(Files.createDirectories(tmp.resolve("launcher")));
        Process p = kindling.start("", "retrain", "--registry", registry.toString(), "--data", DATA, "--run-id", "r1",
                "--master", "local[2]", "--partitions", "2", "--limit", "2000", "--epochs", EPOCHS);
        List<String> err = interrupt(kindling, p, () -> {
            try {
                // the run has started training (a little after it says so)
                return kindling.out().contains("kindling: retrain: run r1") && pause(2);
            } catch (IOException e) {
                return false;
            }
        });

        assertTrue(err.get(0).startsWith("kindling: retrain: interrupted"), err.get(0));
        assertTrue(err.get(0).contains("nothing was promoted") && err.get(0).contains("r1"), err.get(0));
        assertFalse(Files.exists(registry.resolve("LOCK")), "the lock is released");
        assertFalse(Files.exists(registry.resolve("CURRENT")));
        assertFalse(Files.exists(registry.resolve("runs").resolve("r1.json")), "no record: a rerun of r1 trains");
    }

    @Test
    void sweepKeepsItsFinishedTrialsForTheRerun() throws Exception {
        Path out = tmp.resolve("sweep");
        Path spec = Files.writeString(tmp.resolve("spec.yaml"), """
                base: {arch: 784-16-10, epochs: 10, batch: 50}
                parameters:
                  lr: {choice: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008]}
                  seed: {choice: [1, 2]}
                method: grid
                """);
        Launcher kindling = Launcher.in(Files.createDirectories(tmp.resolve("launcher")));
        Process p = kindling.start("", "sweep", "--spec", spec.toString(), "--data", DATA, "--out", out.toString(),
                "--master", "local[2]", "--limit", "2000", "--parallel", "2", "--trial-mode", "task");
        Path trials = out.resolve("trials");
        List<String> err = interrupt(kindling, p, () -> count(trials) >= 1);

        long finished = count(trials);
        assertTrue(err.get(0).startsWith("kindling: sweep: interrupted; " + finished + " finished trial"), err.get(0));
        assertTrue(err.get(0).contains(trials.toString()) && err.get(0).contains("the rest"), err.get(0));
        try (Stream<Path> files = Files.list(trials)) {
            for (Path r : files.filter(InterruptTest::isRecord).toList()) {
                assertFalse(Json.JSON.readTree(r.toFile()).hasNonNull("error"), "no trial recorded as failed: " + r);
            }
        }
    }

    /**
     * Waits until {@code started} (the command's work is under way), sends SIGINT and waits for the
     * exit; checks exit code 130 and a stderr of one line without a stack trace, and returns it.
     */
    private static List<String> interrupt(Launcher kindling, Process p, BooleanSupplier started) throws Exception {
        try {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (!started.getAsBoolean()) {
                assertTrue(p.isAlive(), "the command ended before it was interrupted: " + kindling.out() + kindling.err());
                assertTrue(System.nanoTime() < giveUp, "the work did not start: " + kindling.out() + kindling.err());
                Thread.sleep(200);
            }
            Assumptions.assumeFalse(ignoresSigint(p.pid()), "this test runs with SIGINT ignored (a background job "
                    + "without job control), and so does the launcher it starts");
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "still running after SIGINT: " + kindling.err());
        } finally {
            TestCluster.destroyTree(p.toHandle());
            TestCluster.RUNNING.remove(p);
        }
        String all = kindling.err();
        assertEquals(130, p.exitValue(), kindling.out() + all);
        assertFalse(all.contains("\tat ") || all.contains("Exception"), "no stack trace: " + all);
        List<String> err = kindling.errLines();
        assertEquals(1, err.size(), "one line: " + all);
        return err;
    }

    /** Whether the process ignores SIGINT (signal 2: bit 1 of SigIgn in /proc/PID/status). */
    private static boolean ignoresSigint(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring(7).strip(), 16) & 2) != 0;
            }
        }
        return false;
    }

    private static long metricLines(Path run) {
        try {
            return Files.readAllLines(run.resolve("metrics.jsonl")).size();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(InterruptTest::isRecord).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** A trial's record: ID.json, not a checksum or a temporary file. */
    private static boolean isRecord(Path f) {
        String name = f.getFileName().toString();
        return name.endsWith(".json") && !name.startsWith(".");
    }

    private static boolean pause(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
