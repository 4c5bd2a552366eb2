package dev.kindling.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which vector instructions the kernels OpenBLAS chose use, and whether the CPU has newer ones.
 *
 * <p>OpenBLAS picks its kernels when it loads: from {@code OPENBLAS_CORETYPE} where set, else
 * from its own detection, which an older OpenBLAS or a VM's masked CPU model can make fall short
 * of the CPU. A value inherited from a shared image or a container's environment holds a machine
 * back the same way: on an AVX-512 AMD EPYC, {@code OPENBLAS_CORETYPE=Haswell} gave AVX2
 * kernels, and SkylakeX's multiplied matrices 1.5 to 1.7 times faster. {@link #describe} turns what OpenBLAS reports into one line saying so, with advice where
 * the CPU could do better; it reads nothing itself, and {@link #current()} feeds it this JVM's
 * facts.
 */
public final class OpenBlasKernels {

    /** The environment variable OpenBLAS reads its kernel choice from. */
    public static final String VARIABLE = "OPENBLAS_CORETYPE";

    /** The x86-64 vector instruction families, oldest first. */
    public enum Vector {
        SSE("SSE", "Nehalem"),
        AVX("AVX", "Sandybridge"),
        AVX2("AVX2", "Haswell"),
        AVX512("AVX-512", "SkylakeX");

        private final String label;
        private final String coretype;

        Vector(String label, String coretype) {
            this.label = label;
            this.coretype = coretype;
        }

        /** The family's usual name: "AVX-512", "AVX2", ... */
        public String label() {
            return label;
        }

        /** The {@code OPENBLAS_CORETYPE} value that selects this family's kernels on any x86-64 CPU that has it. */
        public String coretype() {
            return coretype;
        }
    }

    /** The AVX-512 subsets OpenBLAS's SkylakeX kernels need (and scripts/kindling checks for). */
    static final List<String> AVX512_FLAGS = List.of("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd");

    /**
     * What OpenBLAS chose.
     *
     * @param corename  the kernel name OpenBLAS reports ({@code openblas_get_corename})
     * @param kernels   the vector family those kernels use, or null for a name not known here
     *                  (another architecture, or a newer OpenBLAS)
     * @param variable  {@code OPENBLAS_CORETYPE} as set, or null where unset or blank
     * @param cpu       the newest family the CPU has, or null where its flags are unknown
     */
    public record Report(String corename, Vector kernels, String variable, Vector cpu) {

        /** Whether the CPU has a newer vector family than the chosen kernels use. */
        public boolean older() {
            return kernels != null && cpu != null && cpu.compareTo(kernels) > 0;
        }

        /** Whether the chosen kernels use instructions the CPU lacks (they stop with an illegal instruction). */
        public boolean newer() {
            return kernels != null && cpu != null && cpu.compareTo(kernels) < 0;
        }

        /** Whether the kernels came from {@code OPENBLAS_CORETYPE}, not OpenBLAS's detection. */
        public boolean chosenByVariable() {
            return variable != null && variable.equalsIgnoreCase(corename);
        }

        /** The kernels and their family, e.g. "SkylakeX kernels (AVX-512)". */
        public String kernelsText() {
            return corename + " kernels (" + (kernels == null ? "vector family not known here" : kernels.label()) + ")";
        }

        /** The whole line, e.g. "OpenBLAS: Haswell kernels (AVX2), chosen by OPENBLAS_CORETYPE=Haswell; ...". */
        public String line() {
            StringBuilder s = new StringBuilder("OpenBLAS: ").append(kernelsText()).append(", ");
            if (chosenByVariable()) {
                s.append("chosen by ").append(VARIABLE).append('=').append(variable);
            } else {
                s.append("detected by OpenBLAS");
                if (variable != null) {
                    s.append(" (").append(VARIABLE).append('=').append(variable).append(" not taken)");
                }
            }
            String advice = advice();
            if (advice != null) {
                s.append("; ").append(advice);
            }
            return s.toString();
        }

        /** What to do, where the CPU and the kernels do not match; null where they do or nothing is known. */
        public String advice() {
            if (older()) {
                String speed = kernels == Vector.AVX2 && cpu == Vector.AVX512
                        ? " for about 1.5-1.7x faster matrix products" : " for faster matrix products";
                String how = chosenByVariable()
                        ? "unset " + VARIABLE + " or set it to " + cpu.coretype()
                        : "set " + VARIABLE + "=" + cpu.coretype();
                return "this CPU has " + cpu.label() + ": " + how + speed;
            }
            if (newer()) {
                return "this CPU lacks " + kernels.label() + " (it has " + cpu.label() + "): matrix products may stop "
                        + "with an illegal instruction; set " + VARIABLE + "=" + cpu.coretype() + " or unset it";
            }
            return null;
        }
    }

    private OpenBlasKernels() {
    }

    /**
     * What OpenBLAS's choice means here.
     *
     * @param corename  what {@code openblas_get_corename} returned
     * @param variable  the value of {@code OPENBLAS_CORETYPE}, or null where unset
     * @param cpuFlags  the CPU's feature flags (as in /proc/cpuinfo), or null where unknown
     */
    public static Report describe(String corename, String variable, Set<String> cpuFlags) {
        String name = corename == null ? "unknown" : corename.trim();
        String set = variable == null || variable.isBlank() ? null : variable.trim();
        return new Report(name, family(name), set, cpuFlags == null ? null : best(cpuFlags));
    }

    /** The vector family of OpenBLAS's x86-64 kernels named {@code corename}, or null for others. */
    static Vector family(String corename) {
        switch (corename.toLowerCase(Locale.ROOT)) {
            case "skylakex":
            case "cooperlake":
            case "sapphirerapids":
                return Vector.AVX512;
            case "haswell":
            case "zen":
                return Vector.AVX2;
            case "sandybridge":
            case "bulldozer":
            case "piledriver":
            case "steamroller":
            case "excavator":
                return Vector.AVX;
            case "katmai":
            case "coppermine":
            case "northwood":
            case "prescott":
            case "banias":
            case "atom":
            case "core2":
            case "penryn":
            case "dunnington":
            case "nehalem":
            case "athlon":
            case "opteron":
            case "opteron(sse3)":
            case "opteron_sse3":
            case "barcelona":
            case "nano":
            case "bobcat":
                return Vector.SSE;
            default:
                return null;
        }
    }

    /** The newest family a CPU with {@code flags} has, by the flags OpenBLAS's kernels need. */
    static Vector best(Set<String> flags) {
        if (flags.containsAll(AVX512_FLAGS)) {
            return Vector.AVX512;
        }
        if (flags.contains("avx2") && flags.contains("fma")) {
            return Vector.AVX2;
        }
        if (flags.contains("avx")) {
            return Vector.AVX;
        }
        return Vector.SSE;
    }

    /**
     * The CPU flags of the first processor in {@code cpuinfo} (Linux's /proc/cpuinfo), or null
     * where the file cannot be read or has no x86 {@code flags} line (another OS, an ARM CPU).
     */
    static Set<String> cpuFlags(Path cpuinfo) {
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .map(f -> Stream.of(f.split("\\s+")).collect(Collectors.toSet()))
                    .orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** This JVM's report, or null where OpenBLAS did not load. */
    public static Report current() {
        String corename = BlasBackend.corename();
        if (corename == null) {
            return null;
        }
        return describe(corename, System.getenv(VARIABLE), cpuFlags(Path.of("/proc/cpuinfo")));
    }

    /** This JVM's line where {@code backend} is OpenBLAS's, else null (another backend computes). */
    public static String lineFor(Backend backend) {
        Report r = backend instanceof BlasBackend ? current() : null;
        return r == null ? null : r.line();
    }
}
