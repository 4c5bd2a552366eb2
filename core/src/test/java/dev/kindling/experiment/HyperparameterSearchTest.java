package dev.kindling.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.TestData;
import dev.kindling.io.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Random search shortened to 20 trials of 20 epochs. */
class HyperparameterSearchTest {
    static final HyperparameterSearch.Config SMALL = new HyperparameterSearch.Config(20, 20, null, null);

    @TempDir
    Path tmp;

    @Test
    void higherLearningRatesWinAndTheSameSeedGivesTheSameTrials() throws Exception {
        StringWriter log = new StringWriter();
        HyperparameterSearch.Result r = HyperparameterSearch.run(SMALL, Outputs.context(tmp.resolve("a"), log));

        assertEquals(400, r.trainExamples());
        assertEquals(100, r.validationExamples(), "20% of the 500-example slice held out");
        assertEquals(20, r.ranked().size());
        for (int i = 1; i < r.ranked().size(); i++) {
            assertTrue(r.ranked().get(i - 1).finalValidationAccuracy() >= r.ranked().get(i).finalValidationAccuracy());
        }
        for (HyperparameterSearch.Trial t : r.ranked()) {
            assertTrue(t.learningRate() >= 1e-6 && t.learningRate() <= 1e-2, "lr in range: " + t);
            assertTrue(t.weightDecay() >= 1e-8 && t.weightDecay() <= 1e-4, "weight decay in range: " + t);
            assertEquals(20, t.validationAccuracy().length);
        }
        assertTrue(rankCorrelation(r.ranked()) > 0.5, "validation accuracy rises with the learning rate: "
                + r.ranked());
        assertTrue(r.best().learningRate() > 1e-3 && r.best().finalValidationAccuracy() > 0.5, "best: " + r.best());

        Outputs.assertWritten(r.files(), HyperparameterSearch.NAME, 20);
        JsonNode summary = Json.JSON.readTree(r.files().json().toFile());
        assertTrue(summary.get("validation_source").asText().contains("test set is not used"));
        assertEquals(r.best().trial(), summary.get("ranked").get(0).get("trial").asInt());
        Outputs.assertLogLine(log, "trial", "20/20", "lr");

        HyperparameterSearch.Result again = HyperparameterSearch.run(SMALL, Outputs.context(tmp.resolve("b"), log));
        assertEquals(summaryOf(r), summaryOf(again), "same seed, same trials and results");

        HyperparameterSearch.Result other = HyperparameterSearch.run(new HyperparameterSearch.Config(3, 1, null, null),
                new ExperimentContext(TestData.fashionMnist(), tmp.resolve("c"), 2, "auto",
                        new PrintWriter(new StringWriter())));
        assertNotEquals(r.ranked().stream().filter(t -> t.trial() == 1).findFirst().orElseThrow().learningRate(),
                other.ranked().stream().filter(t -> t.trial() == 1).findFirst().orElseThrow().learningRate());
    }

    private static List<String> summaryOf(HyperparameterSearch.Result r) {
        return r.ranked().stream().map(t -> t.trial() + " " + t.learningRate() + " " + t.weightDecay() + " "
                + t.finalValidationAccuracy()).toList();
    }

    /** Spearman's rank correlation of log learning rate and validation accuracy (ties by order). */
    private static double rankCorrelation(List<HyperparameterSearch.Trial> trials) {
        int n = trials.size();
        double[] lrRank = ranks(trials.stream().mapToDouble(HyperparameterSearch.Trial::learningRate).toArray());
        double[] accRank = ranks(trials.stream().mapToDouble(HyperparameterSearch.Trial::finalValidationAccuracy)
                .toArray());
        double d2 = 0;
        for (int i = 0; i < n; i++) {
            d2 += (lrRank[i] - accRank[i]) * (lrRank[i] - accRank[i]);
        }
        return 1 - 6 * d2 / (n * ((double) n * n - 1));
    }

    private static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] rank = new double[v.length];
        for (int r = 0; r < order.length; r++) {
            rank[order[r]] = r;
        }
        return rank;
    }
}
