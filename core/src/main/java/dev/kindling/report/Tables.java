package dev.kindling.report;

import dev.kindling.KindlingException;
import dev.kindling.io.AtomicFiles;
import dev.kindling.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes experiment results: CSV tables and JSON summaries, each through a temporary file and a
 * rename, so an interrupted run never leaves half a table behind.
 */
public final class Tables {
    private Tables() {
    }

    /**
     * Writes a header and rows; doubles are written with six significant digits (enough for
     * losses and accuracies, and it keeps 1e-6 learning rates readable), everything else as
     * its string form.
     */
    public static void csv(Path file, List<String> header, List<List<Object>> rows) {
        StringBuilder text = new StringBuilder();
        line(text, header);
        for (List<Object> row : rows) {
            line(text, row);
        }
        write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON document, pretty-printed (summaries are read by people as well as programs). */
    public static void json(Path file, Object value) {
        try {
            write(file, Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Draws a chart; the drawing code may throw an {@link IOException}. */
    @FunctionalInterface
    public interface Drawing {
        void draw() throws IOException;
    }

    /** Runs a chart-drawing call, turning an I/O failure into an error that names the file. */
    public static void png(Path file, Drawing drawing) {
        try {
            drawing.draw();
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot write the chart: " + e.getMessage(), e);
        }
    }

    /** A number as the CSV and console tables print it. */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static void line(StringBuilder text, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                text.append(',');
            }
            Object cell = cells.get(i);
            text.append(cell instanceof Double d ? number(d) : quote(String.valueOf(cell)));
        }
        text.append('\n');
    }

    private static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static void write(Path file, byte[] bytes) {
        try {
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}
