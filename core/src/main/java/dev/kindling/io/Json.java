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

    /**
     * Turns a Jackson failure into one message naming the source, the field path and the
     * problem, e.g. {@code conf.yaml: field "layers[2].unitz": unknown key}.
     */
    public static KindlingException error(String source, JsonProcessingException e) {
        if (e.getCause() instanceof KindlingException k) {
            // a record constructor rejected a value; its message already names field and value
            return new KindlingException(source + ": " + k.getMessage(), e);
        }
        String path = "";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            path = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        String problem = e.getOriginalMessage();
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            problem = "unknown key \"" + u.getPropertyName() + "\" (known: " + u.getKnownPropertyIds() + ")";
        } else if (e instanceof com.fasterxml.jackson.databind.exc.InvalidTypeIdException t) {
            problem = "unknown type \"" + t.getTypeId() + "\"";
        }
        if (problem != null) {
            int nl = problem.indexOf('\n');
            problem = nl > 0 ? problem.substring(0, nl) : problem;
        }
        return new KindlingException(source + ": " + (path.isEmpty() ? "" : "field \"" + path + "\": ") + problem, e);
    }
}
