package dev.kindling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * docs/errors.md, the table of bad input and the message each case gives: every tested case must
 * have a row (its id, then the exit code), and each run writes the message it saw to
 * target/errors-observed/ID.md, a row to copy into the table when a message changes. Shared
 * with spark-jobs' tests through core's test jar.
 */
public final class ErrorsDoc {
    public static final Path DOC = Path.of("..", "docs", "errors.md");
    private static final Path OBSERVED = Path.of("target", "errors-observed");

    private ErrorsDoc() {
    }

    /** Writes the row of a case as it ran, with its temporary directory left out of paths. */
    public static void record(String id, int code, String[] args, String message, Path... temporary) throws IOException {
        String command = "kindling " + String.join(" ", args);
        String text = message.replaceFirst("^kindling: ", "");
        for (Path t : temporary) {
            command = command.replace(t + "/", "").replace(t.toString(), ".");
            text = text.replace(t + "/", "").replace(t.toString(), ".");
        }
        Files.createDirectories(OBSERVED);
        Files.writeString(OBSERVED.resolve(id + ".md"),
                "| `" + id + "` | `" + command + "` | " + code + " | " + text.replace("|", "\\|") + " | |\n");
    }

    /** Each id has one row in docs/errors.md, whose third cell is its exit code. */
    public static void assertListed(List<String> ids, List<Integer> codes) throws IOException {
        assertTrue(Files.exists(DOC), DOC.toAbsolutePath() + " is missing");
        assertEquals(ids.size(), new HashSet<>(ids).size(), "case ids are unique: " + ids);
        List<String> rows = Files.readAllLines(DOC);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String prefix = "| `" + ids.get(i) + "` |";
            List<String> found = rows.stream().filter(r -> r.startsWith(prefix)).toList();
            if (found.size() != 1) {
                problems.add(ids.get(i) + ": " + found.size() + " rows");
                continue;
            }
            String[] cells = cells(found.get(0));
            if (cells.length < 4 || !cells[3].trim().equals(String.valueOf(codes.get(i)))) {
                problems.add(ids.get(i) + ": exit code cell is not " + codes.get(i));
            }
        }
        assertTrue(problems.isEmpty(), DOC + " must list every case with its exit code: " + problems);
    }

    /** The cells of a table row, splitting on | not escaped as \|. */
    static String[] cells(String row) {
        return row.split("(?<!\\\\)\\|");
    }
}
