package dev.kindling.spark;

import dev.kindling.spark.runtime.GpuResourcesTest;

import static dev.kindling.spark.TestCluster.RUNNING;
import static dev.kindling.spark.TestCluster.SCRIPT;
import static dev.kindling.spark.TestCluster.destroyTree;
import static dev.kindling.spark.TestCluster.freePort;
import static dev.kindling.spark.TestCluster.run;
import static dev.kindling.spark.TestCluster.stop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.CudaBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU scheduling end to end on a real standalone cluster: each worker offers a GPU found by
 * deploy/gpu/discover-gpus (over a stand-in nvidia-smi: this machine has no GPU), the job asks
 * for one per executor and per task, every task is given device 0, and {@code --backend auto}
 * says in the executor's log what it took: CUDA where it loads, here the CPU, naming why.
 */
public class GpuClusterIT {

    @TempDir
    Path tmp;

    @Test
    void tasksGivenAGpuPickTheirBackendAndSaySo() throws Exception {
        Path dir = tmp.resolve("cluster");
        Path out = tmp.resolve("run");
        Path bin = GpuResourcesTest.fakeDriver(tmp, 1);
        Path discover = tmp.resolve("discover");
        GpuResourcesTest.executable(discover, "#!/bin/sh\nPATH=" + bin + ":$PATH exec " + GpuResourcesTest.DISCOVER + "\n");
        Thread teardown = new Thread(() -> {
            RUNNING.forEach(p -> destroyTree(p.toHandle()));
            stop(dir);
        }, "stop-test-cluster");
        Runtime.getRuntime().addShutdownHook(teardown);
        try {
            TestCluster.Run start = run(tmp.resolve("start.log"), 150, SCRIPT.toString(), "start", "--dir", dir.toString(),
                    "--no-build", "--master-port", Integer.toString(freePort()), "--master-ui-port", "0",
                    "--worker-ui-port", "0", "--timeout", "120", "--worker-gpus", "1", "--gpu-discovery", discover.toString());
            assertEquals(0, start.code(), start.output());
            assertTrue(Files.readString(dir.resolve("conf").resolve("spark-defaults.conf"))
                    .contains("spark.worker.resource.gpu.amount 1"));

            TestCluster.Run submit = run(tmp.resolve("submit.log"), 240, SCRIPT.toString(), "submit", "--dir", dir.toString(),
                    "--no-build", "--conf", "spark.ui.enabled=false",
                    "--conf", "spark.executor.resource.gpu.amount=1", "--conf", "spark.task.resource.gpu.amount=1",
                    "train", "--data", TestSpark.fashionMnist().toString(), "--out", out.toString(),
                    "--epochs", "1", "--limit", "2000", "--partitions", "2", "--arch", "784-16-10", "--backend", "auto");
            assertEquals(0, submit.code(), submit.output());
            assertTrue(Files.exists(out.resolve("model").resolve("model.json")));

            // each worker ran one executor; its log says what auto took for the task's GPU
            String expected = CudaBackend.isAvailable() ? "backend auto: cuda; GPU 0 assigned, CUDA runtime"
                    : "backend auto: blas; GPU 0 assigned but CUDA unavailable (";
            for (String worker : List.of("worker-1", "worker-2")) {
                StringBuilder logs = new StringBuilder();
                try (Stream<Path> files = Files.walk(dir.resolve("work").resolve(worker))) {
                    for (Path f : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
                        logs.append(Files.readString(f, StandardCharsets.ISO_8859_1));
                    }
                }
                assertTrue(logs.toString().contains(expected), worker + "'s executor log lacks \"" + expected + "\":\n"
                        + tail(logs.toString()));
            }
        } finally {
            stop(dir);
            Runtime.getRuntime().removeShutdownHook(teardown);
        }
    }

    static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }
}
