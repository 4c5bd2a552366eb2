package dev.kindling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lines train prints about its settings, on one machine. */
class TrainNotesCliTest {
    @TempDir
    Path tmp;

    @Test
    void aBatchLargerThanTheDataIsNotedAndOneEpochIsSingular() throws Exception {
        Path data = BadInputCliTest.idxDirectory(tmp.resolve("data"), 40, 28, 28, 10);
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--out", tmp.resolve("run").toString(),
                "--master", "single", "--arch", "784-8-10", "--epochs", "1", "--batch", "500");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("kindling: --batch 500 is larger than the 40 training examples; using 40\n"),
                r.out());
        assertTrue(r.out().contains("batch 40, 1 epoch)"), r.out());
        assertFalse(r.out().contains("1 epochs"), r.out());
    }

    @Test
    void aBatchThatFitsIsNotNoted() throws Exception {
        Path data = BadInputCliTest.idxDirectory(tmp.resolve("data"), 40, 28, 28, 10);
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--out", tmp.resolve("run").toString(),
                "--master", "single", "--arch", "784-8-10", "--epochs", "2", "--batch", "40");
        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(r.out().contains("is larger than"), r.out());
        assertTrue(r.out().contains("batch 40, 2 epochs)"), r.out());
    }
}
