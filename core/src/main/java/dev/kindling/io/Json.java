package dev.kindling.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kindling.KindlingException;
import java.util.stream.Collectors;

/** The one place JSON and YAML mappers are configured: unknown keys are errors, never ignored. */
public final class Json {
    public static final ObjectMapper JSON = configure(new ObjectMapper());
    public static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));

    private Json() {
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    /** One line of JSON, as used in metrics.jsonl. */
    public static String line(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The mapper for a file of this name: YAML for .yaml and .yml, else JSON. */
    public static ObjectMapper forName(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") ? YAML : JSON;
    }

    /**
     * Reads a config text as {@code type} (null for an empty document); every failure is one
     * {@link #error} naming {@code source}. The whole text is tokenized first: binding stops at
     * the first value of the wrong type, which is what an unclosed bracket makes of the value it
     * opens, and it reports a syntax error met inside a nested value by the field without the
     * line; a syntax error found first is reported as one, with its line and column.
     */
    public static <T> T read(ObjectMapper mapper, String source, byte[] text, Class<T> type) {
        try {
            try (com.fasterxml.jackson.core.JsonParser tokens = mapper.createParser(text)) {
                while (tokens.nextToken() != null) {
                    // only the syntax is checked here
                }
            }
            return mapper.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw error(source, e);
        } catch (java.io.IOException e) {
            throw new KindlingException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Turns a Jackson failure into one message naming the source, the field path and the
     * problem, e.g. {@code conf.yaml: field "layers[2].unitz": unknown key}.
     */
    public static KindlingException error(String source, JsonProcessingException e) {
        String syntax = SyntaxError.describe(e);
        if (syntax != null) {
            return new KindlingException(source + ": " + syntax, e);
        }
        String path = "";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            path = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        if (e.getCause() instanceof KindlingException k) {
            // a record constructor rejected a value; its message already names field and value
            return new KindlingException(source + ": " + (path.isEmpty() ? "" : "field \"" + path + "\": ")
                    + k.getMessage(), e);
        }
        String problem = e.getOriginalMessage();
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            problem = "unknown key \"" + u.getPropertyName() + "\" (known: " + u.getKnownPropertyIds() + ")";
        } else if (e instanceof com.fasterxml.jackson.databind.exc.InvalidTypeIdException t) {
            problem = "unknown type \"" + t.getTypeId() + "\"";
        } else if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
            problem = "\"" + f.getValue() + "\" is not " + kind(f.getTargetType());
        } else if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m
                && m.getTargetType() != null && kind(m.getTargetType()) != null) {
            problem = "expected " + kind(m.getTargetType());
        }
        if (problem != null) {
            int nl = problem.indexOf('\n');
            problem = nl > 0 ? problem.substring(0, nl) : problem;
            // Jackson's advice on its own settings means nothing to a user
            problem = problem.replaceFirst(" \\(set DeserializationConfig\\..*$", "");
        }
        return new KindlingException(source + ": " + (path.isEmpty() ? "" : "field \"" + path + "\": ") + problem, e);
    }

    /** What a value of a config field's type is, as a person would say it; null for other types. */
    private static String kind(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text (one value)";
        }
        return null;
    }
}
