package dev.kindling.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradientCheckExperimentTest {
    @TempDir
    Path tmp;

    @Test
    void backpropAgreesWithNumericalGradientsOnRealImages() throws Exception {
        StringWriter log = new StringWriter();
        GradientCheckExperiment.Result r = GradientCheckExperiment.run(GradientCheckExperiment.Config.defaults(),
                Outputs.context(tmp, log));

        assertEquals(3, r.examples());
        assertTrue(r.passed(), "every tensor below " + GradientCheckExperiment.THRESHOLD + ": " + r.rows());
        Set<String> cnnTensors = r.rows().stream().filter(row -> row.network().equals(GradientCheckExperiment.CNN))
                .map(row -> row.error().tensor()).collect(Collectors.toSet());
        assertTrue(cnnTensors.stream().anyMatch(t -> t.contains("Conv2D.W")), cnnTensors.toString());
        assertTrue(cnnTensors.stream().anyMatch(t -> t.contains("BatchNorm")), cnnTensors.toString());
        assertTrue(r.rows().stream().anyMatch(row -> row.network().equals(GradientCheckExperiment.MLP)));

        List<String> csv = Outputs.assertWritten(r.files(), GradientCheckExperiment.NAME, r.rows().size());
        assertEquals("network,tensor,parameters,relative_error,log10_relative_error,max_absolute_error,eps", csv.get(0));
        // The printed table: a row per tensor with its network, name and parameter count.
        Outputs.assertLogLine(log, "network", "tensor", "parameters", "relative", "error");
        for (GradientCheckExperiment.Row row : r.rows()) {
            Outputs.assertLogLine(log, row.network(), row.error().tensor(),
                    Integer.toString(row.error().length()));
        }
    }
}
