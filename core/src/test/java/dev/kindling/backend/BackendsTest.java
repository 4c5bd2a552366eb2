package dev.kindling.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void unknownNameIsRejectedWithFieldAndValue() {
        KindlingException e = assertThrows(KindlingException.class, () -> Backends.create("cuda2"));
        assertEquals("backend: unknown value \"cuda2\" (expected auto, blas, java or loop)", e.getMessage());
    }

    @Test
    void missingNameIsRejected() {
        KindlingException e = assertThrows(KindlingException.class, () -> Backends.create(null));
        assertEquals("backend: missing value (expected auto, blas, java or loop)", e.getMessage());
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
        assertTrue(why.startsWith("blas; OpenBLAS loaded ("), why);
        assertTrue(why.contains("Vector API present"), why);
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
    private static Map<String, String> runProbe(Predicate<String> keep) throws Exception {
        List<String> classpath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (keep.test(entry)) {
                classpath.add(entry);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, classpath),
                FallbackProbe.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        Map<String, String> seen = new HashMap<>();
        for (String line : output.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                seen.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return seen;
    }
}
