package dev.kindling.bench.onemachine;

import dev.kindling.data.IdxDirectory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The options both training runners take:
 * {@code --model mlp|cnn --epochs N --seed N --run N --out FILE [--data DIR] [--backend NAME]
 * [--profile-steps N] [--warmup true|false]}; {@code --warmup false} (Kindling only) trains cold, without
 * {@link dev.kindling.train.Warmup}. {@code --data} defaults to where {@code scripts/fetch-data} installs
 * Fashion-MNIST.
 */
record RunArgs(Workload model, int epochs, long seed, int run, Path out, Path data, String backend, boolean warmup) {

    static RunArgs parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got \"" + args[i] + "\"");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        Path data = m.containsKey("data") ? Path.of(m.get("data"))
                : IdxDirectory.findInstalled().orElseThrow(() -> new IllegalStateException(
                        "Fashion-MNIST not found (run scripts/fetch-data, or pass --data DIR)"));
        if (!m.containsKey("out")) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        return new RunArgs(Workload.byId(m.getOrDefault("model", "mlp")),
                Integer.parseInt(m.getOrDefault("epochs", "3")),
                Long.parseLong(m.getOrDefault("seed", "1")),
                Integer.parseInt(m.getOrDefault("run", "1")),
                Path.of(m.get("out")), data, m.getOrDefault("backend", "blas"),
                Boolean.parseBoolean(m.getOrDefault("warmup", "true")));
    }
}
