package dev.kindling.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;

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
                null, null, null, null, null, null, null, options, null);
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

    /** The message a config file gives, whatever it throws. */
    String messageOf(String name, String text) throws Exception {
        Path file = Files.writeString(tmp.resolve(name), text);
        KindlingException e = assertThrows(KindlingException.class, () -> JobConfig.read(file));
        return e.getMessage().replace(tmp + "/", "");
    }

    @Test
    void aSyntaxErrorInANestedBlockNamesItsLineAndColumn() throws Exception {
        String message = messageOf("job.yaml", "epochs: 2\nnetwork:\n  input: [784]\n  layers:\n"
                + "    - {type: dense, units: 10}\n   oops: 1\n");
        assertEquals("job.yaml: not valid YAML at line 6, column 4: expected <block end>, but found"
                + " '<block mapping start>' (while parsing a block mapping from line 3, column 3)", message);
    }

    @Test
    void anUnclosedBracketIsASyntaxErrorNotABadValueOfItsField() throws Exception {
        String message = messageOf("job.yaml", "epochs: [3\nbatch: 10\n");
        assertEquals("job.yaml: not valid YAML at line 2, column 6: expected ',' or ']', but got :"
                + " (while parsing a flow sequence from line 1, column 9)", message);
    }

    @Test
    void aTabIsASyntaxErrorAtItsOwnLineNotWhereJacksonStopped() throws Exception {
        assertEquals("job.yaml: not valid YAML at line 2, column 1: found character '\\t(TAB)' that cannot"
                + " start any token. (Do not use \\t(TAB) for indentation) (while scanning for the next token)",
                messageOf("job.yaml", "optimizer: adam\n\tepochs: 2\n"));
    }

    @Test
    void aJsonSyntaxErrorInANestedObjectNamesItsLineAndColumn() throws Exception {
        String message = messageOf("job.json", "{\"epochs\": 2,\n \"network\": {\"input\": [784],"
                + " \"layers\": [{\"type\": \"dense\", \"units\": 10]}}\n");
        // Jackson's column is just past the character it stopped at
        assertTrue(message.matches("job\\.json: not valid JSON at line 2, column 7\\d: Unexpected close marker ']':"
                + " expected '\\}'"), message);
    }

    @Test
    void aValueOfTheWrongTypeStillNamesItsField() throws Exception {
        assertEquals("job.yaml: field \"network.layers[0].units\": \"many\" is not a whole number",
                messageOf("job.yaml", "network:\n  input: [784]\n  layers:\n    - {type: dense, units: many}\n"));
        assertEquals("job.yaml: field \"epochs\": expected a whole number",
                messageOf("job.yaml", "epochs: [3]\n"));
    }
}
