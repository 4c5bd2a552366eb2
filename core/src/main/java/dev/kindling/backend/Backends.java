package dev.kindling.backend;

import dev.kindling.KindlingException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds backends by their configuration name:
 * <ul>
 *   <li>{@code auto}: {@code blas} where OpenBLAS loads, else {@code java};</li>
 *   <li>{@code blas}: OpenBLAS, an error where it does not load;</li>
 *   <li>{@code java}: the Vector API backend where the {@code jdk.incubator.vector} module is
 *       in the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}),
 *       else {@code loop};</li>
 *   <li>{@code loop}: plain loops, always available.</li>
 * </ul>
 * Every call returns a new instance, because backends keep scratch buffers and are not
 * thread-safe.
 */
public final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String EXPECTED = "(expected auto, blas, java or loop)";
    private static final AtomicBoolean AUTO_LOGGED = new AtomicBoolean();

    private Backends() {
    }

    /**
     * A new backend for {@code name} ("auto", "blas", "java" or "loop", any case).
     *
     * @throws KindlingException for an unknown name, or "blas" where OpenBLAS does not load
     */
    public static Backend create(String name) {
        String concrete = resolve(name);
        if ("auto".equals(normalise(name)) && AUTO_LOGGED.compareAndSet(false, true)) {
            LOG.info("backend auto: {}", explain());
        }
        switch (concrete) {
            case "blas":
                return new BlasBackend();
            case "java":
                return newVectorBackend();
            default:
                return new LoopBackend();
        }
    }

    /**
     * The name of the backend {@link #create} builds for {@code name} in this JVM: "blas",
     * "java" or "loop".
     *
     * @throws KindlingException as {@link #create} does
     */
    public static String resolve(String name) {
        String key = normalise(name);
        if (key == null) {
            throw new KindlingException("backend: missing value " + EXPECTED);
        }
        switch (key) {
            case "auto":
                return BlasBackend.isAvailable() ? "blas" : javaBackend();
            case "blas":
                if (!BlasBackend.isAvailable()) {
                    throw new KindlingException("backend: \"" + name + "\" is not available here: "
                            + BlasBackend.unavailableReason() + " (\"auto\" or \"java\" run without it)");
                }
                return "blas";
            case "java":
                return javaBackend();
            case "loop":
                return "loop";
            default:
                throw new KindlingException("backend: unknown value \"" + name + "\" " + EXPECTED);
        }
    }

    /** One line saying which backend "auto" picks in this JVM and why. */
    public static String explain() {
        String blas = BlasBackend.isAvailable()
                ? "OpenBLAS loaded (" + BlasBackend.library() + ")"
                : "OpenBLAS unavailable (" + BlasBackend.unavailableReason() + ")";
        String vector = isVectorApiPresent()
                ? "Vector API present"
                : "Vector API absent (start the JVM with --add-modules " + VECTOR_MODULE + ")";
        return resolve("auto") + "; " + blas + "; " + vector;
    }

    /** Whether the Vector API module is in the boot layer, so {@link VectorBackend} can load. */
    public static boolean isVectorApiPresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    private static String javaBackend() {
        return isVectorApiPresent() ? "java" : "loop";
    }

    private static String normalise(String name) {
        return name == null ? null : name.trim().toLowerCase(Locale.ROOT);
    }

    // By reflection, so that no code path links VectorBackend, and with it the incubator
    // module, unless the module is known to be present.
    private static Backend newVectorBackend() {
        try {
            return Class.forName(Backends.class.getPackageName() + ".VectorBackend")
                    .asSubclass(Backend.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the Vector API backend failed to start although "
                    + VECTOR_MODULE + " is present", e);
        }
    }
}
