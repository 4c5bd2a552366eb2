package dev.kindling.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML or JSON syntax error as one line: what is wrong and the line and column where, e.g.
 * {@code not valid YAML at line 6, column 4: expected <block end>, but found '<block mapping
 * start>' (while parsing a block mapping from line 3, column 3)}.
 */
final class SyntaxError {
    private SyntaxError() {
    }

    /** The description of the syntax error behind {@code e}, or null when {@code e} is another failure. */
    static String describe(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // SnakeYAML's own exception marks the problem; Jackson's location is where its reader had got
            // to, which for a scanner error is the line before
            if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                String context = m.getContext() == null ? ""
                        : " (" + m.getContext().strip() + (m.getContextMark() == null ? "" : " from " + at(m.getContextMark()))
                                + ")";
                return "not valid YAML at " + at(m.getProblemMark()) + ": " + m.getProblem().strip() + context;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            // a number Jackson cannot read (YAML's .nan) is a bad value, not bad syntax
            if (t instanceof JsonParseException p && !(p.getCause() instanceof NumberFormatException)) {
                JsonLocation where = p.getLocation();
                String problem = p.getOriginalMessage().strip().split("\n")[0]
                        // the excerpt Jackson quotes spans lines; the line and column say where
                        .replaceFirst("\\s*\\(for \\w+ starting at \\[Source:.*$", "");
                return "not valid " + (p.getProcessor() instanceof YAMLParser ? "YAML" : "JSON")
                        + (where != null && where.getLineNr() > 0
                                ? " at line " + where.getLineNr() + ", column " + where.getColumnNr() : "")
                        + ": " + problem;
            }
        }
        return null;
    }

    /** A SnakeYAML mark as a person counts: lines and columns from 1. */
    private static String at(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }
}
