package dev.kindling.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.OpenBlasKernels.Report;
import dev.kindling.backend.OpenBlasKernels.Vector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenBlasKernelsTest {
    private static final Set<String> EPYC = Set.of("fpu", "sse2", "avx", "avx2", "fma", "avx512f", "avx512bw",
            "avx512dq", "avx512vl", "avx512cd");
    private static final Set<String> AVX2_ONLY = Set.of("fpu", "sse2", "avx", "avx2", "fma");

    @Test
    void anOlderFamilyChosenByTheVariableIsReportedWithAdvice() {
        Report r = OpenBlasKernels.describe("Haswell", "Haswell", EPYC);
        assertEquals(Vector.AVX2, r.kernels());
        assertEquals(Vector.AVX512, r.cpu());
        assertTrue(r.older());
        assertTrue(r.chosenByVariable());
        assertEquals("OpenBLAS: Haswell kernels (AVX2), chosen by OPENBLAS_CORETYPE=Haswell; this CPU has AVX-512: "
                + "unset OPENBLAS_CORETYPE or set it to SkylakeX for about 1.5-1.7x faster matrix products", r.line());
    }

    @Test
    void anOlderFamilyDetectedByOpenBlasIsReportedWithAdvice() {
        Report r = OpenBlasKernels.describe("Zen", null, EPYC);
        assertTrue(r.older());
        assertEquals("OpenBLAS: Zen kernels (AVX2), detected by OpenBLAS; this CPU has AVX-512: "
                + "set OPENBLAS_CORETYPE=SkylakeX for about 1.5-1.7x faster matrix products", r.line());
    }

    @Test
    void aDetectedFamilyThatMatchesTheCpuGetsNoAdvice() {
        Report r = OpenBlasKernels.describe("Haswell", "", AVX2_ONLY);
        assertFalse(r.older());
        assertNull(r.advice());
        assertEquals("OpenBLAS: Haswell kernels (AVX2), detected by OpenBLAS", r.line());
    }

    @Test
    void theVariableMatchingTheCpuGetsNoAdvice() {
        Report r = OpenBlasKernels.describe("SkylakeX", "skylakex", EPYC);
        assertFalse(r.older());
        assertEquals("OpenBLAS: SkylakeX kernels (AVX-512), chosen by OPENBLAS_CORETYPE=skylakex", r.line());
        assertFalse(OpenBlasKernels.describe("Cooperlake", null, EPYC).older());
    }

    @Test
    void aVariableOpenBlasDidNotTakeIsNamed() {
        Report r = OpenBlasKernels.describe("Haswell", "Skylake-X", AVX2_ONLY);
        assertFalse(r.chosenByVariable());
        assertEquals("OpenBLAS: Haswell kernels (AVX2), detected by OpenBLAS (OPENBLAS_CORETYPE=Skylake-X not taken)",
                r.line());
    }

    @Test
    void kernelsNewerThanTheCpuAreAWarning() {
        Report r = OpenBlasKernels.describe("SkylakeX", "SkylakeX", AVX2_ONLY);
        assertTrue(r.newer());
        assertTrue(r.line().contains("this CPU lacks AVX-512 (it has AVX2): matrix products may stop with an illegal "
                + "instruction"), r.line());
    }

    @Test
    void olderFamiliesGetAdviceWithoutASpeedFigure() {
        Report r = OpenBlasKernels.describe("Sandybridge", null, AVX2_ONLY);
        assertEquals(Vector.AVX, r.kernels());
        assertTrue(r.line().endsWith("this CPU has AVX2: set OPENBLAS_CORETYPE=Haswell for faster matrix products"),
                r.line());
        assertEquals(Vector.SSE, OpenBlasKernels.describe("Nehalem", null, AVX2_ONLY).kernels());
        assertEquals(Vector.SSE, OpenBlasKernels.describe("Barcelona", null, AVX2_ONLY).kernels());
    }

    @Test
    void anUnknownCorenameIsReportedAsItIsWithoutAdvice() {
        Report r = OpenBlasKernels.describe("NEOVERSEN1", null, EPYC);
        assertNull(r.kernels());
        assertFalse(r.older());
        assertFalse(r.newer());
        assertEquals("OpenBLAS: NEOVERSEN1 kernels (vector family not known here), detected by OpenBLAS", r.line());
    }

    @Test
    void unknownCpuFlagsGiveNoAdvice() {
        Report r = OpenBlasKernels.describe("Haswell", "Haswell", null);
        assertNull(r.cpu());
        assertFalse(r.older());
        assertEquals("OpenBLAS: Haswell kernels (AVX2), chosen by OPENBLAS_CORETYPE=Haswell", r.line());
    }

    @Test
    void avx512NeedsEverySubsetTheKernelsUse() {
        assertEquals(Vector.AVX2, OpenBlasKernels.best(Set.of("avx", "avx2", "fma", "avx512f")));
        assertEquals(Vector.AVX, OpenBlasKernels.best(Set.of("avx", "avx2")));
        assertEquals(Vector.SSE, OpenBlasKernels.best(Set.of("sse2")));
    }

    @Test
    void cpuFlagsComeFromTheFirstFlagsLine(@TempDir Path dir) throws IOException {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx avx2 fma\n"
                + "bugs\t\t: none\n\nprocessor\t: 1\nflags\t\t: fpu\n");
        assertEquals(Set.of("fpu", "avx", "avx2", "fma"), OpenBlasKernels.cpuFlags(cpuinfo));
        // an ARM cpuinfo says "Features", and other systems have no such file: unknown, not "SSE"
        Files.writeString(cpuinfo, "processor\t: 0\nFeatures\t: fp asimd\n");
        assertNull(OpenBlasKernels.cpuFlags(cpuinfo));
        assertNull(OpenBlasKernels.cpuFlags(dir.resolve("absent")));
    }

    @Test
    void theCurrentReportNamesWhatOpenBlasChose() {
        Report r = OpenBlasKernels.current();
        if (BlasBackend.isAvailable()) {
            assertEquals(BlasBackend.corename(), r.corename());
            assertTrue(BlasBackend.library().endsWith(", core " + r.corename()), BlasBackend.library());
        } else {
            assertNull(r);
        }
    }
}
