package dev.kindling.spark;

import dev.kindling.spark.train.TrainCliTest;

import static dev.kindling.spark.TestCluster.RUNNING;
import static dev.kindling.spark.TestCluster.SCRIPT;
import static dev.kindling.spark.TestCluster.count;
import static dev.kindling.spark.TestCluster.destroyTree;
import static dev.kindling.spark.TestCluster.freePort;
import static dev.kindling.spark.TestCluster.pids;
import static dev.kindling.spark.TestCluster.run;
import static dev.kindling.spark.TestCluster.stop;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a real standalone cluster: {@code scripts/cluster} starts a master and two
 * workers, each its own JVM from the Maven jars, the shaded application jar goes through Spark's
 * SparkSubmit in another JVM, and the cluster is torn down afterwards, also when the test fails
 * or the test JVM is stopped. Runs in {@code mvn verify} (failsafe), after the jars are packaged.
 */
public class StandaloneClusterIT {
    static final double ACCURACY_FLOOR = 0.65;

    @TempDir
    Path tmp;

    @Test
    void trainsOnAMasterAndTwoWorkersThroughSparkSubmit() throws Exception {
        Path dir = tmp.resolve("cluster");
        Path out = tmp.resolve("run");
        Path events = Files.createDirectories(tmp.resolve("events"));
        int masterPort = freePort();

        Thread teardown = new Thread(() -> {
            RUNNING.forEach(p -> destroyTree(p.toHandle()));
            stop(dir);
        }, "stop-test-cluster");
        Runtime.getRuntime().addShutdownHook(teardown);
        List<Long> daemons = new ArrayList<>();
        try {
            TestCluster.Run start = run(tmp.resolve("start.log"), 150, SCRIPT.toString(), "start", "--dir", dir.toString(),
                    "--no-build", "--master-port", Integer.toString(masterPort), "--master-ui-port", "0",
                    "--worker-ui-port", "0", "--timeout", "120");
            assertEquals(0, start.code(), start.output());
            assertTrue(start.output().contains("spark://127.0.0.1:" + masterPort), start.output());
            daemons.addAll(pids(dir));
            assertEquals(3, daemons.size(), "a master and two workers: " + daemons);
            for (long pid : daemons) {
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
            }
            TestCluster.Run status = run(tmp.resolve("status.log"), 30, SCRIPT.toString(), "status", "--dir", dir.toString());
            assertEquals(0, status.code(), status.output());
            String secret = Files.readAllLines(dir.resolve("conf").resolve("spark-defaults.conf")).stream()
                    .filter(l -> l.startsWith("spark.authenticate.secret ")).findFirst().orElseThrow()
                    .substring("spark.authenticate.secret ".length()).strip();

            TestCluster.Run submit = run(tmp.resolve("submit.log"), 240, SCRIPT.toString(), "submit", "--dir", dir.toString(),
                    "--no-build", "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.compress=false",
                    "--conf", "spark.eventLog.dir=" + events.toUri(), "--conf", "spark.ui.enabled=false",
                    "train", "--data", TestSpark.fashionMnist().toString(), "--out", out.toString(),
                    "--epochs", "1", "--limit", "6000", "--partitions", "2", "--arch", "784-50-10");
            assertEquals(0, submit.code(), submit.output());
            assertTrue(submit.output().contains("spark://127.0.0.1:" + masterPort), submit.output());
            // the tasks exchanged among themselves, authenticated and AES-encrypted as the cluster is
            assertTrue(submit.output().contains("collective exchange"), submit.output());

            List<JsonNode> epochs = TrainCliTest.lines(out.resolve("metrics.jsonl"), "epoch");
            assertEquals(1, epochs.size());
            double accuracy = epochs.get(0).get("test_accuracy").asDouble();
            assertTrue(accuracy > ACCURACY_FLOOR, "test accuracy " + accuracy + " in " + epochs.get(0));
            assertEquals(60, TrainCliTest.lines(out.resolve("metrics.jsonl"), "round").size());
            assertTrue(Files.exists(out.resolve("model").resolve("model.json")));

            // The event log (on Spark 4 a folder of rolled files) records the job's Spark
            // settings and its executors.
            StringBuilder all = new StringBuilder();
            try (Stream<Path> files = Files.walk(events)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    all.append(Files.readString(f));
                }
            }
            String log = all.toString();
            assertTrue(log.contains("\"spark.kryo.registrationRequired\":\"true\""), "Kryo registration required");
            assertTrue(log.contains("\"spark.kryo.registrator\":\"" + KindlingKryoRegistrator.class.getName() + "\""));
            assertTrue(log.contains("\"spark.master\":\"spark://127.0.0.1:" + masterPort + "\""));
            assertEquals(2, count(log, "\"Event\":\"SparkListenerExecutorAdded\""), "one executor per worker");
            for (String worker : List.of("worker-1", "worker-2")) {
                try (Stream<Path> apps = Files.list(dir.resolve("work").resolve(worker))) {
                    assertEquals(1, apps.count(), worker + " ran an executor of the application");
                }
            }
            // The cluster's secret authenticated every connection and appears in no log.
            assertTrue(log.contains("\"spark.authenticate\":\"true\""));
            assertTrue(log.contains("\"spark.network.crypto.enabled\":\"true\""), "RPC encryption");
            assertFalse(log.contains(secret), "the event log holds the secret");
            assertFalse(submit.output().contains(secret), "the driver's output holds the secret");
            try (Stream<Path> files = Stream.concat(Files.walk(dir.resolve("logs")), Files.walk(dir.resolve("work")))) {
                for (Path f : files.filter(f -> f.getFileName().toString().matches("stdout|stderr|.*\\.log")).toList()) {
                    assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(secret), f + " holds the secret");
                }
            }
        } finally {
            stop(dir);
            Runtime.getRuntime().removeShutdownHook(teardown);
        }
        for (long pid : daemons) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
        }
        TestCluster.Run status = run(tmp.resolve("status-after.log"), 30, SCRIPT.toString(), "status", "--dir", dir.toString());
        assertEquals(3, status.code(), status.output());
    }
}
