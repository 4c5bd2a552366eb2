package dev.kindling.search;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.KindlingException;
import dev.kindling.config.JobConfig;
import dev.kindling.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A hyperparameter sweep as its YAML (or JSON) file describes it: a base training config (the
 * keys of {@code train --config}, inline or a file named relative to the spec), the parameters
 * to vary, each a {@code log-uniform}, {@code uniform} or {@code choice} {@link Distribution},
 * the method ({@code grid}: every combination of the choices; {@code random}: {@code trials}
 * draws fixed by {@code seed}), the share of the training data held out to judge trials on,
 * and optionally successive halving.
 *
 * @param source             the file, for messages
 * @param base               the config every trial starts from
 * @param parameters         by config key, in the file's order
 * @param validationFraction training examples held out for validation (the test set is never used to choose)
 */
public record SweepSpec(String source, JobConfig base, Map<String, Distribution> parameters, String method,
                        int trials, long seed, double validationFraction, Halving halving) {
    public static final String GRID = "grid";
    public static final String RANDOM = "random";
    public static final int DEFAULT_TRIALS = 10;
    public static final double DEFAULT_VALIDATION_FRACTION = 0.1;

    /**
     * Successive halving: all trials train {@code minEpochs}, the best 1/{@code eta} go on to
     * {@code eta} times as many epochs, and so on until the base config's epochs; the rest stop.
     */
    public record Halving(int eta, int minEpochs) {
        public Halving {
            if (eta < 2) {
                throw new KindlingException("halving.eta: " + eta + " must be >= 2");
            }
            if (minEpochs < 1) {
                throw new KindlingException("halving.min-epochs: " + minEpochs + " must be >= 1");
            }
        }

        /** The epochs of each rung: minEpochs, minEpochs × eta, ..., ending at {@code maxEpochs}. */
        public List<Integer> rungs(int maxEpochs) {
            List<Integer> rungs = new ArrayList<>();
            for (long e = minEpochs; e < maxEpochs; e *= eta) {
                rungs.add((int) e);
            }
            rungs.add(maxEpochs);
            return rungs;
        }

        /** How many of {@code n} trials go on to the next rung. */
        public int survivors(int n) {
            return Math.max(1, n / eta);
        }
    }

    /** One trial's values, by config key; {@code number} counts from 1. */
    public record Point(int number, Map<String, Object> values) {
        public String id() {
            return String.format(Locale.ROOT, "t%03d", number);
        }
    }

    /** The file as written; names follow the config files' (kebab-case). */
    record File(JsonNode base, Map<String, Map<String, JsonNode>> parameters, String method, Integer trials, Long seed,
                @JsonProperty("validation-fraction") Double validationFraction, HalvingFile halving) {
    }

    record HalvingFile(Integer eta, @JsonProperty("min-epochs") Integer minEpochs) {
    }

    public static SweepSpec read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KindlingException(file + ": sweep spec not found");
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot read the sweep spec: " + e.getMessage());
        }
        return parse(file.toString(), bytes, file.toAbsolutePath().getParent());
    }

    /** Parses a spec; {@code dir} resolves a {@code base} given as a file name. */
    public static SweepSpec parse(String source, byte[] bytes, Path dir) {
        File f = Json.read(Json.forName(source), source, bytes, File.class);
        if (f == null) {
            throw new KindlingException(source + ": the sweep spec is empty");
        }
        JobConfig base = base(source, f.base(), dir);
        if (f.parameters() == null || f.parameters().isEmpty()) {
            throw new KindlingException(source + ": field \"parameters\": at least one parameter to vary is needed");
        }
        Map<String, Distribution> parameters = new LinkedHashMap<>();
        f.parameters().forEach((key, d) -> parameters.put(key, distribution(source, key, d)));
        String method = f.method() == null ? RANDOM : f.method().trim().toLowerCase(Locale.ROOT);
        if (!method.equals(GRID) && !method.equals(RANDOM)) {
            throw new KindlingException(source + ": field \"method\": unknown value \"" + f.method()
                    + "\" (expected grid or random)");
        }
        int trials = f.trials() == null ? DEFAULT_TRIALS : f.trials();
        double fraction = f.validationFraction() == null ? DEFAULT_VALIDATION_FRACTION : f.validationFraction();
        if (!(fraction > 0 && fraction < 1)) {
            throw new KindlingException(source + ": field \"validation-fraction\": " + fraction
                    + " must be between 0 and 1");
        }
        Halving halving = null;
        if (f.halving() != null) {
            try {
                halving = new Halving(f.halving().eta() == null ? 3 : f.halving().eta(),
                        f.halving().minEpochs() == null ? 1 : f.halving().minEpochs());
            } catch (KindlingException e) {
                throw new KindlingException(source + ": field \"" + e.getMessage().replaceFirst(":", "\":"));
            }
            if (parameters.containsKey("epochs")) {
                throw new KindlingException(source + ": field \"parameters.epochs\": successive halving sets the "
                        + "epochs of each rung; vary the other parameters");
            }
        }
        SweepSpec spec = new SweepSpec(source, base, parameters, method, trials,
                f.seed() == null ? 1 : f.seed(), fraction, halving);
        return spec.withTrials(trials);
    }

    /** This spec with another trial count (random search) and checks that the trials can be made. */
    public SweepSpec withTrials(int n) {
        if (method.equals(RANDOM) && n < 1) {
            throw new KindlingException(source + ": field \"trials\": " + n + " must be >= 1");
        }
        if (method.equals(GRID)) {
            for (Map.Entry<String, Distribution> p : parameters.entrySet()) {
                if (p.getValue().gridValues().isEmpty()) {
                    throw new KindlingException(source + ": field \"parameters." + p.getKey()
                            + "\": a grid search takes choice values only (a range suits method: random)");
                }
            }
        }
        SweepSpec spec = new SweepSpec(source, base, parameters, method, n, seed, validationFraction, halving);
        for (Point p : spec.points()) {
            spec.config(p); // every trial's config must be valid before any trains
        }
        return spec;
    }

    public SweepSpec withSeed(long s) {
        return new SweepSpec(source, base, parameters, method, trials, s, validationFraction, halving);
    }

    /** The trials: every combination of a grid (the last parameter varying fastest), or {@code trials} draws. */
    public List<Point> points() {
        List<Point> points = new ArrayList<>();
        if (method.equals(GRID)) {
            List<Map<String, Object>> combos = new ArrayList<>();
            combos.add(new LinkedHashMap<>());
            for (Map.Entry<String, Distribution> p : parameters.entrySet()) {
                List<Map<String, Object>> next = new ArrayList<>();
                for (Map<String, Object> c : combos) {
                    for (Object v : p.getValue().gridValues()) {
                        Map<String, Object> m = new LinkedHashMap<>(c);
                        m.put(p.getKey(), v);
                        next.add(m);
                    }
                }
                combos = next;
            }
            for (int i = 0; i < combos.size(); i++) {
                points.add(new Point(i + 1, combos.get(i)));
            }
            return points;
        }
        SplittableRandom draws = new SplittableRandom(seed);
        for (int i = 1; i <= trials; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, Distribution> p : parameters.entrySet()) {
                m.put(p.getKey(), p.getValue().sample(draws));
            }
            points.add(new Point(i, m));
        }
        return points;
    }

    /** The base config with the trial's values; a value the config refuses names the parameter. */
    public JobConfig config(Point point) {
        return apply(base, point.values(), source + ": trial " + point.id() + " parameters");
    }

    /** {@code config} with {@code values} set by config key (a file written from it trains the same). */
    public static JobConfig apply(JobConfig config, Map<String, Object> values, String what) {
        ObjectNode tree = Json.JSON.valueToTree(config);
        values.forEach((k, v) -> tree.set(k, Json.JSON.valueToTree(v)));
        try {
            return Json.JSON.treeToValue(tree, JobConfig.class);
        } catch (JsonProcessingException e) {
            throw Json.error(what, e);
        }
    }

    private static JobConfig base(String source, JsonNode node, Path dir) {
        if (node == null || node.isNull()) {
            return JobConfig.empty();
        }
        if (node.isTextual()) {
            Path file = dir == null ? Path.of(node.asText()) : dir.resolve(node.asText());
            return JobConfig.read(file);
        }
        try {
            return Json.JSON.treeToValue(node, JobConfig.class);
        } catch (JsonProcessingException e) {
            throw Json.error(source + ": base", e);
        }
    }

    private static Distribution distribution(String source, String key, Map<String, JsonNode> d) {
        String field = source + ": field \"parameters." + key + "\": ";
        if (d == null || d.size() != 1) {
            throw new KindlingException(field + "expected one of {log-uniform: [LOW, HIGH]}, {uniform: [LOW, HIGH]}, "
                    + "{choice: [A, B, ...]}");
        }
        Map.Entry<String, JsonNode> e = d.entrySet().iterator().next();
        JsonNode v = e.getValue();
        try {
            switch (e.getKey()) {
                case "log-uniform", "uniform" -> {
                    if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
                        throw new KindlingException(e.getKey() + ": " + v + " must be [LOW, HIGH]");
                    }
                    return e.getKey().equals("uniform") ? new Distribution.Uniform(v.get(0).asDouble(), v.get(1).asDouble())
                            : Distribution.LogUniform.between(v.get(0).asDouble(), v.get(1).asDouble());
                }
                case "choice" -> {
                    if (!v.isArray()) {
                        throw new KindlingException("choice: " + v + " must be a list");
                    }
                    List<Object> values = new ArrayList<>();
                    v.forEach(x -> values.add(Json.JSON.convertValue(x, Object.class)));
                    return new Distribution.Choice(values);
                }
                default -> throw new KindlingException("unknown distribution \"" + e.getKey()
                        + "\" (expected log-uniform, uniform or choice)");
            }
        } catch (KindlingException x) {
            throw new KindlingException(field + x.getMessage());
        }
    }
}
