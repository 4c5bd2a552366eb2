package dev.kindling.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The textbook's optimizer comparison on Fashion-MNIST, shortened to 500 iterations. */
class OptimizerComparisonTest {
    @TempDir
    Path tmp;

    @Test
    void sgdEndsWithClearlyTheHighestLoss() throws Exception {
        StringWriter log = new StringWriter();
        LossCurves.Result r = OptimizerComparison.run(new OptimizerComparison.Config(500, null, null, 250),
                Outputs.context(tmp, log));

        assertEquals(OptimizerComparison.OPTIMIZERS, List.copyOf(r.losses().keySet()));
        assertEquals("sgd", r.highest());
        double sgd = r.finalLosses().get("sgd");
        for (String other : List.of("momentum", "adagrad", "adam")) {
            assertTrue(sgd > 1.2 * r.finalLosses().get(other), "sgd " + sgd + " vs " + other + " " + r.finalLosses());
        }
        for (double[] curve : r.losses().values()) {
            assertEquals(500, curve.length);
            assertTrue(curve[0] > 2.0, "every optimizer starts near ln 10: " + curve[0]);
        }

        List<String> csv = Outputs.assertWritten(r.files(), OptimizerComparison.NAME, 500);
        assertEquals("iteration,sgd,momentum,adagrad,adam", csv.get(0));
        assertTrue(csv.get(500).startsWith("500,"), csv.get(500));
        for (String name : OptimizerComparison.OPTIMIZERS) {
            Outputs.assertLogLine(log, name, "iteration", "250/500", "loss");
        }
        assertTrue(log.toString().contains("mean loss of the last 100 iterations"), log.toString());
    }
}
