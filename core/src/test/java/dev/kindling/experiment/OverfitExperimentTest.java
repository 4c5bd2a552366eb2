package dev.kindling.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overfitting 300 examples, at the full 200 epochs (training on 300 examples is cheap) but
 * tested on the first 2,000 test examples rather than all 10,000.
 */
class OverfitExperimentTest {
    @TempDir
    Path tmp;

    @Test
    void plainMemorisesAndWeightDecayAndDropoutEachNarrowTheGap() throws Exception {
        OverfitExperiment.Result r = OverfitExperiment.run(new OverfitExperiment.Config(null, null, 2000, null, null),
                Outputs.context(tmp, new StringWriter()));
        assertEquals(300, r.trainExamples());
        assertEquals(2000, r.testExamples());

        OverfitExperiment.Run plain = r.run(OverfitExperiment.PLAIN);
        OverfitExperiment.Run decay = r.run(OverfitExperiment.WITH_WEIGHT_DECAY);
        OverfitExperiment.Run dropout = r.run(OverfitExperiment.WITH_DROPOUT);
        String all = describe(r);
        assertTrue(plain.finalTrainAccuracy() > 0.98, "plain learns the training set by heart: " + all);
        assertTrue(plain.gap() > 0.15, "plain test accuracy far lower: " + all);
        assertTrue(decay.gap() < plain.gap() - 0.05, "weight decay narrows the gap: " + all);
        assertTrue(dropout.gap() < plain.gap() - 0.05, "dropout narrows the gap: " + all);

        List<String> csv = Outputs.assertWritten(r.files(), OverfitExperiment.NAME, 200);
        assertEquals("epoch,plain_train,plain_test,weight-decay_train,weight-decay_test,dropout_train,dropout_test",
                csv.get(0));
    }

    private static String describe(OverfitExperiment.Result r) {
        StringBuilder s = new StringBuilder();
        for (OverfitExperiment.Run run : r.runs()) {
            s.append(String.format("%s train %.3f test %.3f; ", run.name(), run.finalTrainAccuracy(),
                    run.finalTestAccuracy()));
        }
        return s.toString();
    }
}
