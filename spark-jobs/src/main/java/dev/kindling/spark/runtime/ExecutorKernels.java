package dev.kindling.spark.runtime;

import dev.kindling.backend.Backend;
import dev.kindling.backend.OpenBlasKernels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenBLAS kernels each executor runs ({@link OpenBlasKernels}), from the executors to the
 * driver's console without a job of their own: a task computing on OpenBLAS puts its executor's
 * entry in its result, results merge their entries, and the driver prints them once.
 *
 * <p>An entry is one line of text, {@code executor-id TAB host TAB report}; entries of several
 * executors are joined by newlines, sorted and without repeats ({@link #merge}).
 */
public final class ExecutorKernels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorKernels.class);
    private static final String PREFIX = "OpenBLAS: ";
    /** Where an executor sets the variable (the launcher's own setting reaches only its JVM). */
    static final String SETTING = "spark.executorEnv." + OpenBlasKernels.VARIABLE;

    private static volatile String entry;

    private ExecutorKernels() {
    }

    /**
     * This JVM's entry where {@code backend} is OpenBLAS's, else null. The first call that
     * finds OpenBLAS logs the report, so that each executor's log names its kernels.
     */
    public static String entry(Backend backend) {
        String line = OpenBlasKernels.lineFor(backend);
        if (line == null) {
            return null;
        }
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return "?\t?\t" + line; // outside Spark (a test): nothing to name, nothing kept
        }
        String e = entry;
        if (e == null) {
            synchronized (ExecutorKernels.class) {
                e = entry;
                if (e == null) {
                    String id = env.executorId();
                    String host = env.blockManager().blockManagerId().host();
                    // info, not warning: the driver prints every executor's line with its advice,
                    // and in local mode the executor's log is the command's own stderr
                    LOG.info("{} (executor {} on {})", line, id, host);
                    e = id + '\t' + host + '\t' + line;
                    entry = e;
                }
            }
        }
        return e;
    }

    /** The entries of {@code a} and {@code b} together (either may be null). */
    public static String merge(String a, String b) {
        if (a == null || a.equals(b)) {
            return b;
        }
        if (b == null) {
            return a;
        }
        TreeSet<String> all = new TreeSet<>(List.of(a.split("\n")));
        all.addAll(List.of(b.split("\n")));
        return String.join("\n", all);
    }

    /**
     * The lines for the driver's console: one where every executor reports the same, else one
     * per host (and report), each naming its executors' count.
     */
    public static List<String> summary(String entries) {
        Map<String, List<String>> byReport = new LinkedHashMap<>();
        Map<String, List<String>> byHost = new LinkedHashMap<>();
        for (String e : new TreeSet<>(List.of(entries.split("\n")))) {
            String[] f = e.split("\t", 3);
            if (f.length < 3) {
                continue;
            }
            byReport.computeIfAbsent(f[2], k -> new ArrayList<>()).add(f[0]);
            byHost.computeIfAbsent(f[1] + '\t' + f[2], k -> new ArrayList<>()).add(f[0]);
        }
        List<String> lines = new ArrayList<>();
        if (byReport.size() == 1) {
            Map.Entry<String, List<String>> only = byReport.entrySet().iterator().next();
            List<String> ids = only.getValue();
            String who = ids.size() == 1 ? "the executor (" + ids.get(0) + ")" : "all " + ids.size() + " executors";
            lines.add(line(who, only.getKey(), ids));
            return lines;
        }
        for (Map.Entry<String, List<String>> g : byHost.entrySet()) {
            String[] hostReport = g.getKey().split("\t", 2);
            int n = g.getValue().size();
            lines.add(line(hostReport[0] + " (" + n + (n == 1 ? " executor" : " executors") + ")", hostReport[1],
                    g.getValue()));
        }
        return lines;
    }

    private static String line(String who, String report, List<String> ids) {
        String rest = report.startsWith(PREFIX) ? report.substring(PREFIX.length()) : report;
        // executors of a cluster take the variable from spark.executorEnv, not from the launcher
        boolean advice = rest.contains("; this CPU ");
        boolean remote = !ids.contains("driver");
        return "OpenBLAS on " + who + ": " + rest + (advice && remote ? " (through " + SETTING + ")" : "");
    }
}
