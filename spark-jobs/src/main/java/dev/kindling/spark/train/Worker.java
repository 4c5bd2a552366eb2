package dev.kindling.spark.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kindling.backend.Backend;
import dev.kindling.backend.Backends;
import dev.kindling.data.Augmentation;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.spark.runtime.ExecutorKernels;
import dev.kindling.spark.runtime.TaskGpu;
import java.util.OptionalInt;

/**
 * What an executor thread keeps between rounds: the network built from the job's description
 * (so it is not rebuilt every round) and batch buffers. One per thread, since networks and
 * backends are not thread-safe; rebuilt when a task of another job's network arrives.
 */
public final class Worker {
    private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();

    private final String key;
    final Network net;
    /** This executor's OpenBLAS kernels for the driver ({@link ExecutorKernels}), or null on another backend. */
    final String kernels;
    private float[] x = new float[0];
    private float[] target = new float[0];
    private int[] labels = new int[0];
    private float[] optimizerState = new float[0];
    private float[] scratch = new float[0];
    private float[] exchange = new float[0];

    private Worker(String key, Backend backend, String specJson) {
        this.key = key;
        this.net = Network.build(parse(specJson), backend);
        this.kernels = ExecutorKernels.entry(backend);
    }

    /**
     * This thread's worker for the network {@code specJson} on {@code backend}, and on the GPU
     * Spark gave the running task, if any (a thread's tasks may be given different GPUs).
     */
    static Worker get(String specJson, String backend) {
        OptionalInt gpu = TaskGpu.assigned();
        String key = backend + '\n' + gpu + '\n' + specJson;
        Worker w = CURRENT.get();
        if (w == null || !w.key.equals(key)) {
            w = new Worker(key, Backends.create(backend, gpu), specJson);
            CURRENT.set(w);
        }
        return w;
    }

    static NetworkSpec parse(String specJson) {
        try {
            return Json.JSON.readValue(specJson, NetworkSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a task received an unreadable network description", e);
        }
    }

    static String json(NetworkSpec spec) {
        try {
            return Json.JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies the broadcast parameters and state into this thread's network. */
    void load(ParameterBlock block) {
        System.arraycopy(block.parameters, 0, net.parameters(), 0, block.parameters.length);
        System.arraycopy(block.state, 0, net.state(), 0, block.state.length);
    }

    /** A reusable optimizer-state buffer holding a copy of {@code from}. */
    float[] optimizerState(float[] from) {
        if (optimizerState.length != from.length) {
            optimizerState = new float[from.length];
        }
        System.arraycopy(from, 0, optimizerState, 0, from.length);
        return optimizerState;
    }

    /** A reusable buffer of exactly {@code length} floats for a collective's exchanged vector. */
    float[] exchangeBuffer(int length) {
        if (exchange.length != length) {
            exchange = new float[length];
        }
        return exchange;
    }

    /** Fills the batch buffers with {@code shard}'s examples {@code local} and returns the count. */
    int fill(Dataset shard, int[] local) {
        return fill(shard, local, null);
    }

    /**
     * Fills the batch buffers with {@code shard}'s examples {@code local}, augmented as the
     * network's description asks with the streams of {@code key} (none when null), and returns
     * the count.
     */
    int fill(Dataset shard, int[] local, Augmentation.Key key) {
        int b = local.length;
        int features = shard.featureCount();
        int classes = net.outputCount();
        if (x.length < b * features) {
            x = new float[b * features];
        }
        if (target.length < b * classes) {
            target = new float[b * classes];
            labels = new int[b];
        }
        if (labels.length < b) {
            labels = new int[b];
        }
        shard.fillBatch(local, 0, b, x, target, labels);
        Augmentation augment = net.spec().augment();
        if (augment != null && key != null) {
            if (scratch.length < shard.height() * shard.width()) {
                scratch = new float[shard.height() * shard.width()];
            }
            augment.applyToBatch(x, b, shard, key, local, scratch);
        }
        return b;
    }

    float[] x() {
        return x;
    }

    float[] target() {
        return target;
    }

    int[] labels() {
        return labels;
    }
}
