package dev.kindling.spark.runtime;

import dev.kindling.spark.TestCluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/gpu/discover-gpus (here over a stand-in nvidia-smi) and the task's device index;
 * GpuClusterIT takes them through a standalone cluster's resource scheduling to the backend.
 */
public class GpuResourcesTest {
    public static final Path DISCOVER = TestCluster.ROOT.resolve("deploy").resolve("gpu").resolve("discover-gpus");

    @TempDir
    Path tmp;

    /** A directory holding an nvidia-smi that lists {@code gpus} GPUs, as the real one does. */
    public static Path fakeDriver(Path tmp, int gpus) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < gpus; i++) {
            lines.append(i).append("\\n");
        }
        executable(bin.resolve("nvidia-smi"), "#!/bin/sh\nprintf '" + lines + "'\n");
        return bin;
    }

    public static void executable(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Run(int code, String out, String err) {
    }

    static Run discover(Path bin, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(DISCOVER.toString());
        pb.environment().put("PATH", (bin == null ? "" : bin + ":") + "/usr/bin:/bin");
        pb.environment().remove("CUDA_VISIBLE_DEVICES");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }

    @Test
    void theDiscoveryScriptReportsDeviceIndexesAsSparkWantsThem() throws Exception {
        Path bin = fakeDriver(tmp, 2);
        assertEquals(new Run(0, "{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}", ""), discover(bin, Map.of()));
        // CUDA numbers the visible devices from 0
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\"]}", discover(bin, Map.of("CUDA_VISIBLE_DEVICES", "1")).out());
        Run none = discover(null, Map.of());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("nvidia-smi not found"), none.err());
        Run hidden = discover(bin, Map.of("CUDA_VISIBLE_DEVICES", ""));
        assertEquals(1, hidden.code());
        assertTrue(hidden.err().contains("no GPU listed"), hidden.err());
    }

    @Test
    void anAddressThatIsNotADeviceIndexIsNamed() {
        assertEquals(3, TaskGpu.index(" 3 "));
        KindlingException e = assertThrows(KindlingException.class, () -> TaskGpu.index("GPU-5f1c"));
        assertTrue(e.getMessage().contains("\"GPU-5f1c\"") && e.getMessage().contains("spark.executor.resource.gpu"),
                e.getMessage());
    }
}
