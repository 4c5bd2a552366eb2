package dev.kindling.spark;

import dev.kindling.spark.train.Checkpoint;

import static dev.kindling.spark.TestCluster.RUNNING;
import static dev.kindling.spark.TestCluster.SCRIPT;
import static dev.kindling.spark.TestCluster.destroyTree;
import static dev.kindling.spark.TestCluster.freePort;
import static dev.kindling.spark.TestCluster.run;
import static dev.kindling.spark.TestCluster.spawn;
import static dev.kindling.spark.TestCluster.stop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on a real standalone cluster (a master and two workers on loopback): an executor JVM
 * killed mid-training, and the driver killed mid-run then rerun with {@code --resume}. In sync
 * mode both end with exactly the parameters of an uninterrupted run on the same cluster.
 */
public class ClusterFaultsIT {
    /** 3,000 examples in batches of 100 over 4 epochs: 120 rounds, long enough to interrupt. */
    static final List<String> TRAIN = List.of("--epochs", "4", "--limit", "3000", "--partitions", "2",
            "--arch", "784-16-10", "--seed", "11", "--mode", "sync", "--checkpoint-every", "10");
    static final int ROUNDS = 120;

    @TempDir
    static Path tmp;
    static Path dir;
    static Thread teardown;
    static float[] uninterrupted;

    @BeforeAll
    static void startClusterAndTrainUninterrupted() throws Exception {
        dir = tmp.resolve("cluster");
        teardown = new Thread(() -> {
            RUNNING.forEach(p -> destroyTree(p.toHandle()));
            stop(dir);
        }, "stop-test-cluster");
        Runtime.getRuntime().addShutdownHook(teardown);
        TestCluster.Run start = run(tmp.resolve("start.log"), 150, SCRIPT.toString(), "start", "--dir", dir.toString(),
                "--no-build", "--master-port", Integer.toString(freePort()), "--master-ui-port", "0",
                "--worker-ui-port", "0", "--timeout", "120");
        assertEquals(0, start.code(), start.output());
        Path out = tmp.resolve("uninterrupted");
        TestCluster.Run r = run(tmp.resolve("uninterrupted.log"), 240, submit(out));
        assertEquals(0, r.code(), r.output());
        uninterrupted = parameters(out);
    }

    @AfterAll
    static void stopCluster() {
        stop(dir);
        Runtime.getRuntime().removeShutdownHook(teardown);
    }

    @Test
    void anExecutorKilledMidTrainingIsReplacedAndTheRunEndsAsAnUninterruptedOne() throws Exception {
        Path out = tmp.resolve("executor-killed");
        Path log = tmp.resolve("executor-killed.log");
        Process driver = spawn(log, submit(out));
        try {
            awaitOrFail(driver, log, () -> rounds(out) >= 20, "20 rounds");
            List<ProcessHandle> executors = executors();
            assertEquals(2, executors.size(), "one executor per worker: " + executors);
            assertTrue(executors.get(0).destroyForcibly(), "kill -9 of executor " + executors.get(0).pid());
            assertTrue(driver.waitFor(240, TimeUnit.SECONDS), "the run did not end: " + Files.readString(log));
            assertEquals(0, driver.exitValue(), Files.readString(log));
            assertTrue(Files.readString(log).contains("Lost executor"), "Spark saw the executor go: " + Files.readString(log));
            assertTrue(Files.readString(log).contains("collective exchange"), "rounds exchanged among the tasks: "
                    + Files.readString(log));
        } finally {
            destroyTree(driver.toHandle());
            RUNNING.remove(driver);
        }
        assertTrue(rounds(out) >= ROUNDS, "rounds " + rounds(out));
        assertArrayEquals(uninterrupted, parameters(out));
    }

    @Test
    void aDriverKilledMidRunResumesFromItsCheckpointToTheUninterruptedParameters() throws Exception {
        Path out = tmp.resolve("driver-killed");
        Path log = tmp.resolve("driver-killed.log");
        Process driver = spawn(log, submit(out));
        try {
            awaitOrFail(driver, log, () -> checkpointRound(out) >= 30, "a checkpoint of round 30");
        } finally {
            destroyTree(driver.toHandle()); // kill -9 of the driver JVM and the script that started it
            driver.waitFor(30, TimeUnit.SECONDS);
            RUNNING.remove(driver);
        }
        long killedAt = checkpointRound(out);
        assertTrue(killedAt < ROUNDS, "the run ended before it was killed");
        assertTrue(!Files.exists(out.resolve("model")), "no model yet");

        List<String> resume = new ArrayList<>(List.of(submit(out)));
        resume.add("--resume");
        TestCluster.Run r = run(tmp.resolve("resumed.log"), 240, resume.toArray(String[]::new));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("resuming from round"), r.output());
        assertArrayEquals(uninterrupted, parameters(out));
    }

    static String[] submit(Path out) {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "submit", "--dir", dir.toString(), "--no-build",
                "--conf", "spark.ui.enabled=false", "train", "--data", TestSpark.fashionMnist().toString(),
                "--out", out.toString()));
        cmd.addAll(TRAIN);
        return cmd.toArray(String[]::new);
    }

    static float[] parameters(Path out) {
        return ModelFile.read(out.resolve("model")).parameters();
    }

    /** The executor JVMs of this cluster (their class path is under its directory). */
    static List<ProcessHandle> executors() {
        String marker = dir.toString();
        return ProcessHandle.allProcesses().filter(h -> {
            String cmd = h.info().commandLine().orElse("");
            return cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains(marker);
        }).toList();
    }

    /** Round lines in the run's metrics so far (complete lines only). */
    static long rounds(Path out) {
        try {
            String text = Files.readString(out.resolve("metrics.jsonl"));
            return text.substring(0, text.lastIndexOf('\n') + 1).lines()
                    .filter(l -> l.contains("\"round\"") && readType(l).equals("round")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    static String readType(String line) {
        try {
            return Json.JSON.readTree(line).path("type").asText();
        } catch (IOException e) {
            return "";
        }
    }

    /** The round of the published checkpoint, or -1 when there is none yet. */
    static long checkpointRound(Path out) {
        try {
            JsonNode c = Json.JSON.readTree(out.resolve("checkpoint").resolve(Checkpoint.POSITION).toFile());
            return c.path("round").asLong(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    static void awaitOrFail(Process driver, Path log, BooleanSupplier done, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!done.getAsBoolean()) {
            if (!driver.isAlive()) {
                fail("the run ended (exit " + driver.exitValue() + ") before " + what + ": " + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within 180 s: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }
}
