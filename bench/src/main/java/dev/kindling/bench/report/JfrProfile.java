package dev.kindling.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a training run's time goes, from a JFR recording made with {@code sampling.jfc}.
 *
 * <p>JFR's execution sampler only sees threads running Java code; a thread inside a native
 * call (OpenBLAS's {@code cblas_sgemm}, JavaCPP's copies) is sampled by
 * {@code jdk.NativeMethodSample} instead, with its Java stack down to the JNI method. Both
 * samplers run at the same period, so together they account for the thread's wall time, and
 * native time is attributed to the JNI method that made the call (what happens inside
 * OpenBLAS stays invisible). Only samples taken inside {@code Trainer.fit} and outside its
 * per-epoch {@code Trainer.evaluate} and the benchmark's listener count, and none of
 * {@code Warmup}'s, whose own trainer runs before training starts: the training loop
 * alone.
 */
public final class JfrProfile {
    private static final String TRAINER = "dev.kindling.train.Trainer";
    private static final String WARMUP = "dev.kindling.train.Warmup";
    private static final String BENCH = "dev.kindling.bench.";

    private final Map<String, Integer> byLeaf = new HashMap<>();
    private final Map<String, Integer> byStep = new HashMap<>();
    private int total;
    private int nativeSamples;

    private JfrProfile() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println(read(Path.of(args[0])).markdown(args.length > 1 ? Integer.parseInt(args[1]) : 12));
    }

    public static JfrProfile read(Path recording) throws IOException {
        JfrProfile p = new JfrProfile();
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                String type = e.getEventType().getName();
                boolean nativeSample = type.equals("jdk.NativeMethodSample");
                if (nativeSample || type.equals("jdk.ExecutionSample")) {
                    p.add(e.getStackTrace(), nativeSample);
                }
            }
        }
        return p;
    }

    private void add(RecordedStackTrace stack, boolean nativeSample) {
        if (stack == null || stack.getFrames().isEmpty() || !inTrainingLoop(stack.getFrames())) {
            return;
        }
        List<RecordedFrame> frames = stack.getFrames();
        String leaf = name(frames.get(0).getMethod()) + (nativeSample ? " [native]" : "");
        byLeaf.merge(leaf, 1, Integer::sum);
        byStep.merge(step(frames), 1, Integer::sum);
        total++;
        if (nativeSample) {
            nativeSamples++;
        }
    }

    /** Whether the stack, read from the top, reaches {@code Trainer.fit} through the loop's own code. */
    private static boolean inTrainingLoop(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            // the warm-up trains too, on its own thread, before the timed training starts
            if (f.getMethod() != null && f.getMethod().getType().getName().equals(WARMUP)) {
                return false;
            }
        }
        for (RecordedFrame f : frames) {
            RecordedMethod m = f.getMethod();
            if (m == null) {
                continue;
            }
            String type = m.getType().getName();
            if (type.startsWith(BENCH)) {
                return false; // the benchmark's own listener, outside the timed loop
            }
            if (type.equals(TRAINER)) {
                if (m.getName().equals("evaluate") || m.getName().equals("sample")) {
                    return false;
                }
                if (m.getName().equals("fit")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The training step a sample belongs to: the innermost frame of a layer, loss, optimizer,
     * weight decay, schedule or data batch (not the backend, whose frames say how, not what).
     */
    private static String step(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            RecordedMethod m = f.getMethod();
            if (m == null) {
                continue;
            }
            String type = m.getType().getName();
            if (type.startsWith("dev.kindling.") && !type.startsWith("dev.kindling.backend.")
                    && !type.equals("dev.kindling.nn.Network") && !type.equals("dev.kindling.nn.Buffers")) {
                return name(m);
            }
        }
        return "(other)";
    }

    private static String name(RecordedMethod m) {
        if (m == null) {
            return "(unknown)";
        }
        String type = m.getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
    }

    public int samples() {
        return total;
    }

    /** Share of the training loop's samples spent inside native calls. */
    public double nativeShare() {
        return total == 0 ? Double.NaN : (double) nativeSamples / total;
    }

    /** Two tables: by training step, and by the method on top of the stack. */
    public String markdown(int rows) {
        if (total == 0) {
            return "(no samples inside the training loop)\n";
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%d samples in the training loop, %.0f%% of them in native calls.%n%n",
                total, 100 * nativeShare()));
        table(out, "Training step (innermost layer/optimizer/data frame)", byStep, rows);
        out.append('\n');
        table(out, "Method on top of the stack ([native]: inside a JNI call)", byLeaf, rows);
        return out.toString();
    }

    private void table(StringBuilder out, String title, Map<String, Integer> counts, int rows) {
        out.append("| ").append(title).append(" | share |\n|---|---:|\n");
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        int shown = 0;
        int rest = 0;
        for (Map.Entry<String, Integer> e : sorted) {
            if (shown++ < rows) {
                out.append(String.format(Locale.ROOT, "| `%s` | %.1f%% |%n", e.getKey(), 100.0 * e.getValue() / total));
            } else {
                rest += e.getValue();
            }
        }
        if (rest > 0) {
            out.append(String.format(Locale.ROOT, "| (%d more) | %.1f%% |%n", sorted.size() - rows, 100.0 * rest / total));
        }
    }
}
