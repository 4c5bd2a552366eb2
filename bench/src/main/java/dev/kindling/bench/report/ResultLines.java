package dev.kindling.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.bench.machine.Machine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runners' results files ({@code *.jsonl}): one JSON object a line, each stamped with the
 * load average at the time it was written so that the report can show how quiet the machine was.
 */
public final class ResultLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultLines() {
    }

    /** Appends {@code fields} and {@code load1} as one line, creating the file and its folder. */
    public static void append(Path file, Map<String, Object> fields) {
        Map<String, Object> line = new LinkedHashMap<>(fields);
        line.put("load1", Machine.load1());
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writeValueAsString(line) + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
