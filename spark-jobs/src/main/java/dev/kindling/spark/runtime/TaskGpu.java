package dev.kindling.spark.runtime;

import dev.kindling.KindlingException;
import java.util.OptionalInt;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The GPU Spark's resource scheduling gave the running task ({@code spark.task.resource.gpu.amount}
 * with a discovery script, see deploy/gpu), as the CUDA device index that {@code --backend auto}
 * and {@code cuda} use; none outside a task or where the task was given none.
 */
public final class TaskGpu {
    static final String RESOURCE = "gpu";

    private TaskGpu() {
    }

    public static OptionalInt assigned() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return OptionalInt.empty();
        }
        ResourceInformation gpu = task.resourcesJMap().get(RESOURCE);
        if (gpu == null || gpu.addresses().length == 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(index(gpu.addresses()[0]));
    }

    /** A discovery script's address as a device index: "0", "1", ... */
    static int index(String address) {
        try {
            int i = Integer.parseInt(address.trim());
            if (i >= 0) {
                return i;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new KindlingException("spark.executor.resource.gpu: the task was given GPU address \"" + address
                + "\", not a CUDA device index (the discovery script must report indexes such as \"0\", \"1\")");
    }
}
