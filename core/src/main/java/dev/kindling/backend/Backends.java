package dev.kindling.backend;

import dev.kindling.KindlingException;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds backends by their configuration name:
 * <ul>
 *   <li>{@code auto}: {@code cuda} where the Spark task was given a GPU and CUDA loads, else
 *       {@code blas} where OpenBLAS loads, else {@code java}; logged once per choice;</li>
 *   <li>{@code cuda}: cuBLAS on the task's GPU (device 0 outside a task), an error where CUDA
 *       does not load;</li>
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
    private static final String EXPECTED = "(expected auto, cuda, blas, java or loop)";
    private static final Set<String> AUTO_LOGGED = ConcurrentHashMap.newKeySet();

    private Backends() {
    }

    /**
     * A new backend for {@code name} ("auto", "cuda", "blas", "java" or "loop", any case) where
     * no GPU was assigned: {@code auto} stays on the CPU.
     *
     * @throws KindlingException for an unknown name, or a named backend that does not load here
     */
    public static Backend create(String name) {
        return create(name, OptionalInt.empty());
    }

    /**
     * A new backend for {@code name} on a thread that was given GPU {@code gpu} (a CUDA device
     * index, as Spark's resource scheduling assigns it to a task), or none.
     *
     * @throws KindlingException as {@link #create(String)} does
     */
    public static Backend create(String name, OptionalInt gpu) {
        String concrete = resolve(name, gpu);
        if ("auto".equals(normalise(name))) {
            String why = explain(gpu);
            if (AUTO_LOGGED.add(why)) {
                LOG.info("backend auto: {}", why);
            }
        }
        switch (concrete) {
            case "cuda":
                return new CudaBackend(gpu.orElse(0));
            case "blas":
                return new BlasBackend();
            case "java":
                return newVectorBackend();
            default:
                return new LoopBackend();
        }
    }

    /**
     * The name of the backend {@link #create(String)} builds for {@code name} in this JVM:
     * "cuda", "blas", "java" or "loop".
     *
     * @throws KindlingException as {@link #create(String)} does
     */
    public static String resolve(String name) {
        return resolve(name, OptionalInt.empty());
    }

    /** As {@link #resolve(String)}, on a thread that was given GPU {@code gpu} or none. */
    public static String resolve(String name, OptionalInt gpu) {
        switch (checkName(name)) {
            case "auto":
                if (gpu.isPresent() && CudaBackend.isAvailable()) {
                    return "cuda";
                }
                return BlasBackend.isAvailable() ? "blas" : javaBackend();
            case "cuda":
                if (!CudaBackend.isAvailable()) {
                    throw new KindlingException("backend: \"" + name + "\" is not available here: "
                            + CudaBackend.unavailableReason() + " (\"auto\" runs on the CPU without it)");
                }
                return "cuda";
            case "blas":
                if (!BlasBackend.isAvailable()) {
                    throw new KindlingException("backend: \"" + name + "\" is not available here: "
                            + BlasBackend.unavailableReason() + " (\"auto\" or \"java\" run without it)");
                }
                return "blas";
            case "java":
                return javaBackend();
            default:
                return "loop";
        }
    }

    /**
     * Checks that {@code name} is one of the backends' names, without loading any: what a Spark
     * driver checks of the backend its executors will run, which the driver itself may lack
     * (a GPU above all).
     *
     * @return the name, trimmed and in lower case
     * @throws KindlingException for a missing or unknown name, as {@link #create(String)} does
     */
    public static String checkName(String name) {
        String key = normalise(name);
        if (key == null) {
            throw new KindlingException("backend: missing value " + EXPECTED);
        }
        if (!List.of("auto", "cuda", "blas", "java", "loop").contains(key)) {
            throw new KindlingException("backend: unknown value \"" + name + "\" " + EXPECTED);
        }
        return key;
    }

    /**
     * The backend a Spark driver builds its own network on (it holds the parameters, applies the
     * updates and evaluates) for a job whose executors run {@code name}: the same, except that
     * {@code cuda} becomes {@code auto}, since the GPUs belong to the executors.
     */
    public static String onDriver(String name) {
        return "cuda".equals(checkName(name)) ? "auto" : name;
    }

    /** One line saying which backend "auto" picks in this JVM, where no GPU was assigned, and why. */
    public static String explain() {
        return explain(OptionalInt.empty());
    }

    /** One line saying which backend "auto" picks on a thread given GPU {@code gpu} (or none), and why. */
    public static String explain(OptionalInt gpu) {
        String cuda = gpu.isEmpty() ? "no GPU assigned"
                : CudaBackend.isAvailable() ? "GPU " + gpu.getAsInt() + " assigned, " + CudaBackend.library()
                : "GPU " + gpu.getAsInt() + " assigned but CUDA unavailable (" + CudaBackend.unavailableReason() + ")";
        String blas = BlasBackend.isAvailable()
                ? "OpenBLAS loaded (" + BlasBackend.library() + ")"
                : "OpenBLAS unavailable (" + BlasBackend.unavailableReason() + ")";
        String vector = isVectorApiPresent()
                ? "Vector API present"
                : "Vector API absent (start the JVM with --add-modules " + VECTOR_MODULE + ")";
        return resolve("auto", gpu) + "; " + cuda + "; " + blas + "; " + vector;
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
    static Backend newVectorBackend() {
        try {
            return Class.forName(Backends.class.getPackageName() + ".VectorBackend")
                    .asSubclass(Backend.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the Vector API backend failed to start although "
                    + VECTOR_MODULE + " is present", e);
        }
    }
}
