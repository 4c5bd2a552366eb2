package dev.kindling.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The textbook's comparison of initial weights on Fashion-MNIST, shortened to 500 iterations. */
class InitComparisonTest {
    @TempDir
    Path tmp;

    @Test
    void smallGaussianLearnsNothingWhileXavierAndHeLearn() throws Exception {
        LossCurves.Result r = InitComparison.run(new InitComparison.Config(500, null, null, null),
                Outputs.context(tmp, new StringWriter()));

        double gaussian = r.finalLosses().get(InitComparison.GAUSSIAN);
        double xavier = r.finalLosses().get(InitComparison.XAVIER);
        double he = r.finalLosses().get(InitComparison.HE);
        assertEquals(Math.log(10), gaussian, 0.01, "std 0.01 stays at ln 10: " + r.finalLosses());
        assertTrue(xavier < 1.5 && he < 1.5, "Xavier and He learn: " + r.finalLosses());
        assertTrue(he <= xavier + 0.02, "He lowest or tied: " + r.finalLosses());

        List<String> csv = Outputs.assertWritten(r.files(), InitComparison.NAME, 500);
        assertEquals("iteration,std=0.01,xavier,he", csv.get(0));
    }
}
