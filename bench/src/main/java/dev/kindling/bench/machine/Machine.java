package dev.kindling.bench.machine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kindling.backend.BlasBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The machine a benchmark ran on, and its fp32 arithmetic limit:
 * cores × 2 FMA units × lanes (16 with AVX-512, 8 with AVX2, 4 otherwise) × 2 flops per FMA
 * × clock. Two FMA units per core is an assumption (true of Intel cores since Haswell and AMD
 * since Zen 2; Zen 4 runs AVX-512 as two 256-bit halves, so its AVX-512 figure overstates).
 *
 * <p>The clock: lscpu's "CPU max MHz" where it reports one, else {@code /proc/cpuinfo}'s
 * "cpu MHz" (in a VM, the nominal rate the hypervisor reports); {@link ClockProbe} measures
 * one as a cross-check, and the peak uses the higher of the two, so a share of peak is never
 * overstated by a low nominal clock. {@link FmaProbe} measures the FMA throughput itself.
 *
 * <p>{@code java ... Machine OUT.json} writes it as JSON and prints a one-line summary.
 */
public final class Machine {

    private Machine() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, Object> m = describe();
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), json);
        }
        System.out.println(m.get("cpu_model") + ", " + m.get("cores") + " cores, "
                + m.get("clock_ghz") + " GHz, peak " + m.get("peak_gflops_per_core") + " GFLOP/s per core ("
                + m.get("simd") + "), " + m.get("jdk"));
    }

    public static Map<String, Object> describe() {
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        Map<String, String> lscpu = lscpu();
        String flags = " " + field(cpuinfo, "flags", "") + " ";
        boolean avx512 = flags.contains(" avx512f ");
        boolean avx2 = flags.contains(" avx2 ");
        boolean fma = flags.contains(" fma ");
        int lanes = avx512 ? 16 : avx2 ? 8 : 4;
        int logical = Runtime.getRuntime().availableProcessors();
        int cores = cores(lscpu, logical);

        double nominalMhz = parse(field(cpuinfo, "cpu MHz", "0"));
        double maxMhz = parse(lscpu.getOrDefault("CPU max MHz", "0"));
        String clockSource = maxMhz > 0 ? "lscpu CPU max MHz" : "/proc/cpuinfo cpu MHz";
        double reportedGhz = (maxMhz > 0 ? maxMhz : nominalMhz) / 1000;
        double probeGhz = ClockProbe.estimateGhz(20);
        double clockGhz = Math.max(reportedGhz, probeGhz);
        double perCore = 2 * lanes * 2 * clockGhz;

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        m.put("host", hostname());
        m.put("cpu_model", field(cpuinfo, "model name", lscpu.getOrDefault("Model name", "unknown")));
        m.put("cpu_family_model", "family " + field(cpuinfo, "cpu family", "?") + " model "
                + field(cpuinfo, "model", "?") + " stepping " + field(cpuinfo, "stepping", "?"));
        m.put("vendor", field(cpuinfo, "vendor_id", "?"));
        m.put("hypervisor", lscpu.getOrDefault("Hypervisor vendor", "none"));
        m.put("cores", cores);
        m.put("logical_cpus", logical);
        m.put("l2_cache", lscpu.getOrDefault("L2 cache", "?"));
        m.put("l3_cache", lscpu.getOrDefault("L3 cache", "?"));
        m.put("memory", field(lines(Path.of("/proc/meminfo")), "MemTotal", "?"));
        m.put("simd", (avx512 ? "AVX-512" : avx2 ? "AVX2" : "SSE") + (fma ? "+FMA" : ""));
        m.put("fp32_lanes", lanes);
        m.put("clock_reported_ghz", round(reportedGhz, 3));
        m.put("clock_reported_source", clockSource);
        m.put("clock_probe_ghz", round(probeGhz, 3));
        m.put("clock_ghz", round(clockGhz, 3));
        m.put("clock_used", probeGhz > reportedGhz ? "probe (higher than the reported clock)" : clockSource);
        m.put("fma_units_per_core", 2);
        m.put("peak_gflops_per_core", round(perCore, 1));
        m.put("peak_gflops_machine", round(perCore * cores, 1));
        m.put("peak_gflops_per_core_avx2", round(2 * 8 * 2 * clockGhz, 1));
        m.put("fma_probe", fmaProbe());
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("openblas", BlasBackend.isAvailable() ? BlasBackend.library() : "unavailable: " + BlasBackend.unavailableReason());
        m.put("threading_env", threadingEnvironment());
        m.put("load_average", loadAverage());
        return m;
    }

    /** "N GFLOP/s with L-lane vectors" from {@link FmaProbe}, or why it did not run. */
    private static String fmaProbe() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "not run (start the JVM with --add-modules jdk.incubator.vector)";
        }
        try {
            Class<?> probe = Class.forName(Machine.class.getPackageName() + ".FmaProbe");
            double gflops = (double) probe.getMethod("gflops", int.class).invoke(null, 20);
            int lanes = (int) probe.getMethod("lanes").invoke(null);
            return String.format(Locale.ROOT, "%.1f GFLOP/s with %d-lane vectors", gflops, lanes);
        } catch (ReflectiveOperationException | LinkageError e) {
            return "failed: " + e;
        }
    }

    /** The OPENBLAS_*, OMP_* and MKL_* variables of the environment, which steer native kernels. */
    private static Map<String, String> threadingEnvironment() {
        Map<String, String> env = new java.util.TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("OPENBLAS_") || k.startsWith("OMP_") || k.startsWith("MKL_")) {
                env.put(k, v);
            }
        });
        return env;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "?" where unreadable. */
    public static String loadAverage() {
        List<String> l = lines(Path.of("/proc/loadavg"));
        if (l.isEmpty()) {
            return "?";
        }
        String[] parts = l.get(0).split("\\s+");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : "?";
    }

    /** The 1-minute load average, or NaN where unreadable. */
    public static double load1() {
        String l = loadAverage();
        return l.equals("?") ? Double.NaN : parse(l.split(" ")[0]);
    }

    private static int cores(Map<String, String> lscpu, int logical) {
        try {
            return Integer.parseInt(lscpu.get("Core(s) per socket").trim())
                    * Integer.parseInt(lscpu.get("Socket(s)").trim());
        } catch (RuntimeException e) {
            return logical;
        }
    }

    private static Map<String, String> lscpu() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : run("lscpu")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    private static String hostname() {
        List<String> h = run("hostname");
        return h.isEmpty() ? "?" : h.get(0).trim();
    }

    private static List<String> run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
            return new String(out, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The value of the first "key : value" line whose key is {@code key}. */
    private static String field(List<String> lines, String key, String fallback) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return line.substring(colon + 1).trim();
            }
        }
        return fallback;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s.trim().split("\\s+")[0]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static double round(double v, int digits) {
        return Double.parseDouble(String.format(Locale.ROOT, "%." + digits + "f", v));
    }
}
