package dev.kindling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.report.Charts;
import dev.kindling.report.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs are written under a temporary name and renamed, yet get the modes any new file or
 * directory gets (the umask's), like Spark's outputs: a model or ONNX file is there to be read by
 * whoever serves it, not by its writer alone.
 */
class OutputModesTest {
    @TempDir
    Path tmp;

    @Test
    void aSingleMachineRunsFilesFollowTheUmask() throws IOException {
        Path data = BadInputCliTest.idxDirectory(tmp.resolve("data"), 40, 28, 28, 10);
        Path out = tmp.resolve("run");
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--out", out.toString(), "--master",
                "single", "--arch", "784-8-10", "--epochs", "1", "--batch", "10");
        assertEquals(0, r.code(), r.err());
        assertEquals(newFile(out), mode(out.resolve(RunDirectory.CONFIG)), "config.json");
        assertEquals(newDirectory(out), mode(out.resolve(RunDirectory.MODEL)), "model/");

        Path onnx = tmp.resolve("served").resolve("model.onnx");
        CliTest.Result e = CliTest.run("export", "--model", out.resolve(RunDirectory.MODEL).toString(), "--out",
                onnx.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(newFile(onnx.getParent()), mode(onnx), "the ONNX file");
    }

    @Test
    void experimentTablesAndChartsFollowTheUmask() throws IOException {
        Path csv = tmp.resolve("curve.csv");
        Tables.csv(csv, List.of("epoch", "loss"), List.of(List.of(1, 0.5)));
        assertEquals(newFile(tmp), mode(csv), "a table");
        Path png = tmp.resolve("curve.png");
        Charts.lines(png, "loss", "epoch", "loss", Map.of("train", new double[][] {{1, 0.5}, {2, 0.4}}), null);
        assertEquals(newFile(tmp), mode(png), "a chart");
    }

    /** The mode a file newly created in {@code dir} gets. */
    private static String newFile(Path dir) throws IOException {
        Path probe = Files.createFile(dir.resolve("probe-" + System.nanoTime()));
        try {
            return mode(probe);
        } finally {
            Files.delete(probe);
        }
    }

    private static String newDirectory(Path dir) throws IOException {
        Path probe = Files.createDirectory(dir.resolve("probe-" + System.nanoTime()));
        try {
            return mode(probe);
        } finally {
            Files.delete(probe);
        }
    }

    private static String mode(Path p) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        return PosixFilePermissions.toString(perms);
    }
}
