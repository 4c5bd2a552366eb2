package dev.kindling.bench.onemachine;

import dev.kindling.bench.report.ResultLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times {@code scripts/kindling train --master single} as a user meets it: launches the command
 * (the clock starts just before the process does, so the launcher script and the JVM's start
 * count), stamps every line it prints on arrival, and for each epoch line records the seconds
 * since launch and the seconds since training started that the line itself reports ("wall":
 * from the trainer's start to the end of the epoch's evaluation). Stops the run at the first
 * epoch whose test accuracy reaches the target, or after {@code --max-epochs} epochs.
 *
 * <p>{@code java ... CliTimeToAccuracy --model mlp --setup TEXT --run 1 --target 0.85
 * --max-epochs 10 --out FILE -- scripts/kindling train ...}: one JSON line per epoch in FILE;
 * the stamped output on standard output.
 */
public final class CliTimeToAccuracy {
    /** {@code Progress.epochLine}: epoch, test accuracy, examples/s, training seconds, wall seconds. */
    static final Pattern EPOCH = Pattern.compile("^epoch (\\d+)/(\\d+)\\s+train loss \\S+ acc \\S+\\s+test loss \\S+ acc (\\S+)"
            + "\\s+(\\S+) ex/s\\s+(\\S+)s\\s+eta \\S+\\s+wall (\\S+)s");

    private CliTimeToAccuracy() {
    }

    public static void main(String[] argv) throws IOException, InterruptedException {
        int split = Arrays.asList(argv).indexOf("--");
        if (split < 0 || split == argv.length - 1) {
            throw new IllegalArgumentException("usage: CliTimeToAccuracy --model M --run N --target A --max-epochs N "
                    + "--out FILE [--setup TEXT] -- COMMAND...");
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < split; i += 2) {
            o.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        List<String> command = Arrays.asList(argv).subList(split + 1, argv.length);
        double target = Double.parseDouble(o.getOrDefault("target", "0.85"));
        int maxEpochs = Integer.parseInt(o.getOrDefault("max-epochs", "10"));
        Path out = Path.of(o.get("out"));
        Map<String, Object> common = new LinkedHashMap<>();
        common.put("suite", "cli-time-to-accuracy");
        common.put("model", o.getOrDefault("model", "?"));
        common.put("setup", o.getOrDefault("setup", ""));
        common.put("run", Integer.parseInt(o.getOrDefault("run", "1")));
        common.put("target", target);
        common.put("openblas_coretype", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset"));

        long launch = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean reached = false;
        boolean stopped = false;
        double trainingLine = Double.NaN;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                double at = (System.nanoTime() - launch) / 1e9;
                System.out.printf(Locale.ROOT, "%10.3f  %s%n", at, line);
                if (Double.isNaN(trainingLine) && line.startsWith("kindling: training ")) {
                    trainingLine = at;
                }
                Matcher m = EPOCH.matcher(line);
                if (!m.find()) {
                    continue;
                }
                int epoch = Integer.parseInt(m.group(1));
                double accuracy = Double.parseDouble(m.group(3));
                reached = accuracy >= target;
                Map<String, Object> f = new LinkedHashMap<>(common);
                f.put("epoch", epoch);
                f.put("epochs", Integer.parseInt(m.group(2)));
                f.put("test_accuracy", accuracy);
                f.put("examples_per_second", Double.parseDouble(m.group(4).replace(",", "")));
                f.put("training_seconds", Double.parseDouble(m.group(5)));
                f.put("since_training_start_seconds", Double.parseDouble(m.group(6)));
                f.put("since_launch_seconds", at);
                f.put("training_line_seconds", trainingLine);
                f.put("reached", reached);
                ResultLines.append(out, f);
                if (reached || epoch >= maxEpochs) {
                    stopped = true;
                    break;
                }
            }
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        int rc = p.waitFor();
        System.out.printf(Locale.ROOT, "%s: %s%n", common.get("model"), reached
                ? "reached " + target + " test accuracy"
                : "did not reach " + target + " test accuracy in " + maxEpochs + " epochs");
        if (!stopped && rc != 0) {
            System.err.println("the command failed (exit " + rc + ")");
            System.exit(1);
        }
    }
}
