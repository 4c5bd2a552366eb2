package dev.kindling.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kindling.KindlingException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class BackendsTest {
    /** The key under which {@link #runProbe} returns the child's whole output. */
    private static final String OUTPUT = "(output)";

    @Test
    void unknownNameIsRejectedWithFieldAndValue() {
        KindlingException e = assertThrows(KindlingException.class, () -> Backends.create("cuda2"));
        assertEquals("backend: unknown value \"cuda2\" (expected auto, cuda, blas, java or loop)", e.getMessage());
    }

    @Test
    void missingNameIsRejected() {
        KindlingException e = assertThrows(KindlingException.class, () -> Backends.create(null));
        assertEquals("backend: missing value (expected auto, cuda, blas, java or loop)", e.getMessage());
    }

    @Test
    void openBlasLoadsOnThisMachine() {
        // Fails rather than skips: a build where the native backend silently drops out would
        // train several times slower without anyone noticing.
        assertTrue(BlasBackend.isAvailable(), "OpenBLAS did not load: " + BlasBackend.unavailableReason());
        assertNull(BlasBackend.unavailableReason());
        assertTrue(BlasBackend.library().contains("OpenBLAS"), BlasBackend.library());
    }

    @Test
    void openBlasRunsOneThreadFromEveryCallingThread() throws InterruptedException {
        Backends.create("blas");
        assertEquals(1, BlasBackend.nativeThreads());
        AtomicInteger seen = new AtomicInteger();
        Thread other = new Thread(() -> seen.set(BlasBackend.nativeThreads()));
        other.start();
        other.join();
        assertEquals(1, seen.get());
    }

    @Test
    void namesResolveAsDocumented() {
        assertEquals("blas", Backends.resolve("auto"));
        assertEquals("blas", Backends.resolve(" AUTO "));
        assertEquals("java", Backends.resolve("java"));
        assertEquals("loop", Backends.resolve("loop"));
        assertEquals("blas", Backends.create("auto").name());
        assertEquals("blas", Backends.create("blas").name());
        assertEquals("java", Backends.create("java").name());
        assertEquals("loop", Backends.create("loop").name());
        assertTrue(Backends.isVectorApiPresent());
    }

    @Test
    void everyCallBuildsANewInstance() {
        for (String name : new String[] {"auto", "blas", "java", "loop"}) {
            assertNotSame(Backends.create(name), Backends.create(name), name);
        }
    }

    @Test
    void explainSaysWhatAutoPicksAndWhy() {
        String why = Backends.explain();
        assertTrue(why.startsWith("blas; no GPU assigned; OpenBLAS loaded ("), why);
        assertTrue(why.contains("Vector API present"), why);
    }

    @Test
    void cudaWhereNoGpuIsVisibleIsRefusedSayingWhy() {
        assumeFalse(CudaBackend.isAvailable(), "this machine has a CUDA GPU");
        KindlingException e = assertThrows(KindlingException.class, () -> Backends.create("cuda"));
        assertTrue(e.getMessage().startsWith("backend: \"cuda\" is not available here: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(\"auto\" runs on the CPU without it)"), e.getMessage());
        assertTrue(e.getMessage().contains(CudaBackend.unavailableReason()), e.getMessage());
        assertThrows(KindlingException.class, () -> new CudaBackend(0));
    }

    @Test
    void aFailedCudaLoadNamesTheMissingLibraryNotTheSearchPath() {
        UnsatisfiedLinkError top = new UnsatisfiedLinkError("no jnicudart in java.library.path: /usr/lib:/lib");
        assertEquals("no jnicudart in java.library.path", CudaBackend.linkFailure(top));
        top.initCause(new UnsatisfiedLinkError("/home/u/.javacpp/cache/cuda.jar/org/bytedeco/cuda/linux-x86_64/"
                + "libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or directory"));
        assertEquals("libcuda.so.1: cannot open shared object file: No such file or directory",
                CudaBackend.linkFailure(top));
    }

    @Test
    void autoGivenAGpuTakesTheCpuWhereCudaDoesNotLoadAndSaysSo() {
        assumeFalse(CudaBackend.isAvailable(), "this machine has a CUDA GPU");
        OptionalInt gpu = OptionalInt.of(0);
        assertEquals("blas", Backends.resolve("auto", gpu));
        assertEquals("blas", Backends.create("auto", gpu).name());
        String why = Backends.explain(gpu);
        assertTrue(why.startsWith("blas; GPU 0 assigned but CUDA unavailable ("), why);
    }

    @Test
    void autoWithoutAnAssignedGpuNeverLoadsCuda() throws Exception {
        // the probe builds "auto" backends and runs them; the JVM lists every class it loads
        Map<String, String> seen = runProbe(entry -> true, "-Xlog:class+load=info");
        assertEquals("blas", seen.get("auto"), seen.toString());
        assertTrue(seen.get(OUTPUT).contains(" dev.kindling.backend.BlasBackend "), "the class log works");
        assertFalse(seen.get(OUTPUT).contains(" dev.kindling.backend.CudaBackend "), "CudaBackend was loaded");
    }

    @Test
    void aDriverChecksTheNameAloneAndKeepsItsOwnNetworkOnTheCpu() {
        assertEquals("cuda", Backends.checkName(" CUDA "));
        assertEquals("loop", Backends.checkName("loop"));
        KindlingException e = assertThrows(KindlingException.class, () -> Backends.checkName("tpu"));
        assertEquals("backend: unknown value \"tpu\" (expected auto, cuda, blas, java or loop)", e.getMessage());
        assertThrows(KindlingException.class, () -> Backends.checkName(null));
        assertEquals("auto", Backends.onDriver("cuda"));
        assertEquals("blas", Backends.onDriver("blas"));
        assertEquals("blas", Backends.create(Backends.onDriver("cuda")).name());
    }

    @Test
    void withoutTheOpenBlasJarsEverythingFallsBackToLoops() throws Exception {
        Map<String, String> seen = runProbe(entry -> !entry.contains("openblas"));
        assertEquals("loop", seen.get("auto"), seen.toString());
        assertEquals("loop", seen.get("java"), seen.toString());
        assertEquals("false", seen.get("blasAvailable"), seen.toString());
        assertTrue(seen.get("blasReason").contains("NoClassDefFoundError"), seen.toString());
        assertTrue(seen.get("blasError").startsWith("backend: \"blas\" is not available here: "),
                seen.toString());
        // Adam and the pixel scaling fall back to their scalar loops.
        assertEquals(-0.01f, Float.parseFloat(seen.get("adamFirst")), 1e-7f, seen.toString());
        assertEquals(seen.get("adamFirst"), seen.get("adamLast"), seen.toString());
        assertEquals("1.0", seen.get("pixelFirst"), seen.toString());
        assertEquals("1.0", seen.get("pixelLast"), seen.toString());
        assertEquals("1.0", seen.get("reluFirst"), seen.toString());
        assertEquals("1.0", seen.get("reluLast"), seen.toString());
    }

    @Test
    void withoutTheNativeLibraryEverythingFallsBackToLoops() throws Exception {
        // The Java classes are there but not the linux-x86_64 jar: what a node of another
        // platform sees when only the x86 natives were shipped.
        Map<String, String> seen = runProbe(entry -> !entry.matches(".*openblas-[^/]*-linux-x86_64\\.jar"));
        assertEquals("loop", seen.get("auto"), seen.toString());
        assertEquals("false", seen.get("blasAvailable"), seen.toString());
        assertTrue(seen.get("blasReason").contains("UnsatisfiedLinkError"), seen.toString());
    }

    /**
     * Runs {@link FallbackProbe} in a JVM started without the Vector API module and with only the
     * class path entries {@code keep} accepts; returns what it printed.
     */
    private static Map<String, String> runProbe(Predicate<String> keep, String... jvmArgs) throws Exception {
        List<String> classpath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (keep.test(entry)) {
                classpath.add(entry);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(jvmArgs));
        command.addAll(List.of("-cp", String.join(File.pathSeparator, classpath), FallbackProbe.class.getName()));
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        Map<String, String> seen = new HashMap<>();
        seen.put(OUTPUT, output);
        for (String line : output.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                seen.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return seen;
    }
}
