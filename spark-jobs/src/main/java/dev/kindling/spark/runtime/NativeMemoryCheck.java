package dev.kindling.spark.runtime;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backend;
import dev.kindling.backend.Backends;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;

/**
 * Refuses, before anything starts, a job whose executors' native memory cannot fit in the
 * memory overhead that YARN and Kubernetes give each executor's container: the JVM heap limit
 * does not cover the backend's off-heap buffers, so a container that outgrows its overhead is
 * killed by the cluster manager with little to say why.
 *
 * <p>What one task needs is measured, not guessed: a network of the job's architecture takes one
 * training step on a task's share of the batch on the job's backend, which then reports the
 * native buffers it grew to ({@link Backend#nativeBytes}). To that come OpenBLAS's own buffer per
 * thread and a reserve for the JVM's native memory (metaspace, threads, Netty), which Spark's
 * overhead is meant for in the first place. Standalone and local masters are not checked: they
 * put no limit on an executor's process beyond its heap.
 */
public final class NativeMemoryCheck {
    /** OpenBLAS's working buffer per thread (its default BUFFER_SIZE on x86-64). */
    static final long OPENBLAS_BUFFER = 32L << 20;
    /** What the executor's JVM itself needs outside the heap, left to it. */
    static final long JVM_RESERVE = 256L << 20;
    /** Spark's floor on the overhead where it is not set (MiB); Spark 4 lets it be set. */
    static final long MIN_OVERHEAD_MIB = 384;
    /** The floor's setting (Spark 4.0+; Spark 3.5 has no such key and always uses 384 MiB). */
    static final String MIN_OVERHEAD = "spark.executor.minMemoryOverhead";
    /** Set to false to skip the check (e.g. where the overhead is enforced otherwise). */
    static final String ENABLED = "spark.kindling.nativeMemoryCheck";

    private NativeMemoryCheck() {
    }

    /** Whether {@code master} runs executors in containers with a memory limit. */
    static boolean limited(String master) {
        return master.equals("yarn") || master.startsWith("k8s://");
    }

    /** Throws a {@link KindlingException} naming the settings when the overhead is too small. */
    public static void check(SparkConf conf, NetworkSpec spec, int batch, int partitions, int localSteps, String backend) {
        String master = conf.get("spark.master", "");
        if (!limited(master) || !conf.getBoolean(ENABLED, true)) {
            return;
        }
        int cores = conf.getInt("spark.executor.cores", 1);
        int share = (int) Math.min(batch, (batch + (long) partitions - 1) / partitions);
        long perTask = measure(spec, Math.max(1, share), backend, conf.contains("spark.task.resource.gpu.amount"));
        long need = JVM_RESERVE + cores * perTask;
        long overhead = overheadBytes(conf);
        if (need > overhead) {
            String setting = conf.contains("spark.executor.memoryOverhead")
                    ? "spark.executor.memoryOverhead=" + conf.get("spark.executor.memoryOverhead")
                    : "spark.executor.memoryOverhead (unset: max(" + minOverheadMib(conf) + " MiB, "
                    + conf.get("spark.executor.memoryOverheadFactor", "0.1") + " x spark.executor.memory="
                    + conf.get("spark.executor.memory", "1g") + "))";
            throw new KindlingException(String.format(Locale.ROOT, "native memory: each executor needs about %s "
                            + "outside its heap (%d task(s) of spark.executor.cores x %s of backend buffers for the "
                            + "model and a batch share of %d, plus %s for the JVM), but %s gives %s; raise "
                            + "spark.executor.memoryOverhead to at least %dm, lower the batch or the model, or set "
                            + "%s=false to skip this check", mib(need), cores, mib(perTask), share, mib(JVM_RESERVE),
                    setting, mib(overhead), (need + (1 << 20) - 1) >> 20, ENABLED));
        }
    }

    /**
     * Native bytes one task's network needs: its backend's buffers after a step, plus OpenBLAS's.
     * A task on the CUDA backend ({@code cuda}, or {@code auto} where tasks are given GPUs) holds
     * pinned host memory for the transfers instead: the larger of the parameter vector and the
     * largest operand, measured here on the CPU backend, whose buffers hold the operands.
     */
    static long measure(NetworkSpec spec, int batch, String backend, boolean tasksGetGpus) {
        String name = Backends.checkName(backend);
        boolean cuda = name.equals("cuda") || name.equals("auto") && tasksGetGpus;
        Backend b = Backends.create(cuda ? "blas" : backend);
        Network net = Network.build(spec, b);
        net.initialize(1);
        int features = net.inputShape().size();
        float[] x = new float[batch * features];
        float[] t = new float[batch * net.outputCount()];
        for (int i = 0; i < batch; i++) {
            t[i * net.outputCount()] = 1;
        }
        net.gradient(x, t, batch, 1f / batch, new SplittableRandom(1));
        long scratch = b.nativeBytes();
        if (cuda) {
            return Math.max((long) Float.BYTES * net.parameters().length, scratch);
        }
        return scratch == 0 ? 0 : scratch + OPENBLAS_BUFFER;
    }

    /**
     * The executor memory overhead as Spark computes it for YARN and Kubernetes: the setting
     * where given, else max(floor, factor x executor memory), all in whole MiB.
     */
    static long overheadBytes(SparkConf conf) {
        if (conf.contains("spark.executor.memoryOverhead")) {
            return JavaUtils.byteStringAsMb(conf.get("spark.executor.memoryOverhead")) << 20;
        }
        long memoryMib = JavaUtils.byteStringAsMb(conf.get("spark.executor.memory", "1g"));
        double factor = conf.getDouble("spark.executor.memoryOverheadFactor", 0.1);
        return Math.max(minOverheadMib(conf), (long) (factor * memoryMib)) << 20;
    }

    /** The overhead's floor: 384 MiB, or {@value #MIN_OVERHEAD} where set (MiB unless a unit is given). */
    static long minOverheadMib(SparkConf conf) {
        return conf.contains(MIN_OVERHEAD) ? JavaUtils.byteStringAsMb(conf.get(MIN_OVERHEAD)) : MIN_OVERHEAD_MIB;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }
}
