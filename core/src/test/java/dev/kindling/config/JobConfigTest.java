package dev.kindling.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {
    @TempDir
    Path tmp;

    static JobConfig withDataOptions(Map<String, String> options) {
        return new JobConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, options, null);
    }

    @Test
    void dataOptionsAreReadAsTextAndFlagsOverrideThemKeyByKey() throws Exception {
        Path file = tmp.resolve("job.yaml");
        Files.writeString(file, "epochs: 2\ndata-options:\n  height: 28\n  color: grey\n");
        JobConfig fromFile = JobConfig.read(file);
        assertEquals(Map.of("height", "28", "color", "grey"), fromFile.dataOptions());
        JobConfig merged = fromFile.overriddenBy(withDataOptions(Map.of("color", "rgb", "width", "28")));
        assertEquals(Map.of("height", "28", "color", "rgb", "width", "28"), merged.dataOptions());
        assertEquals(2, merged.epochs());
        assertEquals(fromFile.dataOptions(), fromFile.overriddenBy(JobConfig.empty()).dataOptions());
        assertNull(JobConfig.empty().overriddenBy(JobConfig.empty()).dataOptions());
    }
}
