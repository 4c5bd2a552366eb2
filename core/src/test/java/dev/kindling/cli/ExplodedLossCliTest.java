package dev.kindling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A loss that explodes but stays finite is divergence on one machine too: exit 1, no model. */
class ExplodedLossCliTest {
    @TempDir
    Path tmp;

    @Test
    void plainSgdAtAHugeLearningRateFailsNamingTheStepAndTheBound() {
        Path out = tmp.resolve("run");
        CliTest.Result r = CliTest.run("train", "--data", CliTest.DATA, "--out", out.toString(), "--master", "single",
                "--optimizer", "sgd", "--lr", "1e6", "--limit", "2000", "--epochs", "2");
        assertEquals(Main.EXIT_FAILED, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("training diverged") && r.err().contains("above its bound")
                && r.err().contains("at step"), r.err());
        assertFalse(Files.exists(out.resolve("model")), "no model of a diverged run");
    }
}
