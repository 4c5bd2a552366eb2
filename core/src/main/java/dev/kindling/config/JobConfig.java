package dev.kindling.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kindling.KindlingException;
import dev.kindling.io.Json;
import dev.kindling.nn.NetworkSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A training job's settings as a config file (YAML or JSON) holds them. Every field is
 * optional; command-line flags override the file, and {@link #resolve} fills the defaults.
 * Keys are the long flag names; an unknown key is an error that names it. {@code data-options}
 * is a map of the data source's options (the flag {@code --data-option KEY=VALUE}); the flag's
 * keys override the file's one by one.
 */
public record JobConfig(
        NetworkSpec network,
        String arch,
        String init,
        Double dropout,
        String optimizer,
        Double lr,
        String schedule,
        Integer batch,
        Integer epochs,
        Long seed,
        @JsonProperty("weight-decay") Double weightDecay,
        Integer patience,
        @JsonProperty("max-steps") Long maxSteps,
        String backend,
        String master,
        String mode,
        Integer partitions,
        @JsonProperty("local-steps") Integer localSteps,
        @JsonProperty("checkpoint-every") Integer checkpointEvery,
        @JsonProperty("divergence-retries") Integer divergenceRetries,
        String exchange,
        @JsonProperty("data-options") Map<String, String> dataOptions,
        Integer shards) {

    public static JobConfig empty() {
        return new JobConfig(null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null);
    }

    /** Reads a YAML (.yaml/.yml) or JSON file; errors name the file and the field, or the line and column of bad syntax. */
    public static JobConfig read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KindlingException(file + ": config file not found");
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot read the config file: " + e.getMessage());
        }
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new KindlingException(file + ": the config file is empty");
        }
        JobConfig c = Json.read(Json.forName(file.getFileName().toString()), file.toString(), bytes, JobConfig.class);
        if (c == null) {
            throw new KindlingException(file + ": the config file is empty");
        }
        return c;
    }

    /** This config with every non-null field of {@code over} taking precedence. */
    public JobConfig overriddenBy(JobConfig over) {
        return new JobConfig(
                pick(over.network, network), pick(over.arch, arch), pick(over.init, init),
                pick(over.dropout, dropout), pick(over.optimizer, optimizer), pick(over.lr, lr),
                pick(over.schedule, schedule), pick(over.batch, batch), pick(over.epochs, epochs),
                pick(over.seed, seed), pick(over.weightDecay, weightDecay), pick(over.patience, patience),
                pick(over.maxSteps, maxSteps), pick(over.backend, backend), pick(over.master, master),
                pick(over.mode, mode), pick(over.partitions, partitions), pick(over.localSteps, localSteps),
                pick(over.checkpointEvery, checkpointEvery), pick(over.divergenceRetries, divergenceRetries),
                pick(over.exchange, exchange),
                merge(dataOptions, over.dataOptions), pick(over.shards, shards));
    }

    /** The options of both, {@code over}'s winning where a key is in both; null if neither has any. */
    private static Map<String, String> merge(Map<String, String> base, Map<String, String> over) {
        if (base == null || over == null) {
            return over != null ? over : base;
        }
        Map<String, String> merged = new TreeMap<>(base);
        merged.putAll(over);
        return merged;
    }

    private static <T> T pick(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    /**
     * The network this job trains: the config's {@code network}, or the MLP shorthand
     * {@code arch} (default 784-100-10) with {@code init} and {@code dropout}.
     */
    public NetworkSpec networkSpec() {
        if (network != null && arch != null) {
            throw new KindlingException("arch: \"" + arch + "\" given together with a network in the config file; use one");
        }
        if (network != null) {
            // the shorthand's options would be silently ignored: a network says them in its layers
            if (dropout != null || init != null) {
                String field = dropout != null ? "dropout" : "init";
                throw new KindlingException(field + ": " + (dropout != null ? dropout : "\"" + init + "\"")
                        + " applies to the --arch MLP only; with a network in the config file, "
                        + (dropout != null ? "add a {type: dropout, rate: R} layer to it"
                                : "set init on its dense and conv layers"));
            }
            return network;
        }
        return NetworkSpec.mlp(arch == null ? Defaults.ARCH : arch, init == null ? Defaults.INIT : init,
                dropout == null ? 0 : dropout);
    }
}
