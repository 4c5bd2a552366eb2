package dev.kindling.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.TestData;
import dev.kindling.io.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.imageio.ImageIO;

/** Shared checks of what an experiment leaves on disk, and a context on the real data. */
final class Outputs {
    static final int CHART_WIDTH = 900;
    static final int CHART_HEIGHT = 560;

    private Outputs() {
    }

    static ExperimentContext context(Path out, StringWriter log) {
        return new ExperimentContext(TestData.fashionMnist(), out, 1, "auto", new PrintWriter(log, true));
    }

    /**
     * The CSV has a header and {@code rows} data rows, the summary is JSON naming the experiment,
     * and the PNG decodes to an image of the chart's size.
     *
     * @return the CSV's lines, header first
     */
    static List<String> assertWritten(ExperimentFiles files, String experiment, int rows) throws IOException {
        for (Path p : List.of(files.csv(), files.json(), files.png())) {
            assertTrue(Files.isRegularFile(p) && Files.size(p) > 0, p + " exists and is not empty");
        }
        List<String> lines = Files.readAllLines(files.csv());
        assertEquals(rows + 1, lines.size(), "header and " + rows + " rows in " + files.csv());
        JsonNode summary = Json.JSON.readTree(files.json().toFile());
        assertEquals(experiment, summary.get("experiment").asText());
        BufferedImage png = ImageIO.read(files.png().toFile());
        assertNotNull(png, files.png() + " decodes as an image");
        assertEquals(CHART_WIDTH, png.getWidth());
        assertEquals(CHART_HEIGHT, png.getHeight());
        return lines;
    }

    /**
     * Some line of {@code log} holds {@code words} one after another. Lines are compared as words
     * split on whitespace, so a change to a table's column widths or padding breaks nothing
     * while the values and their order still do.
     */
    static void assertLogLine(StringWriter log, String... words) {
        List<String> wanted = List.of(words);
        boolean found = log.toString().lines()
                .map(line -> Arrays.asList(line.trim().split("\\s+")))
                .anyMatch(line -> Collections.indexOfSubList(line, wanted) >= 0);
        assertTrue(found, "a line with the words " + wanted + " in:\n" + log);
    }
}
