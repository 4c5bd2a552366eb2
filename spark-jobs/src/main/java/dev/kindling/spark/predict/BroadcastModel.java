package dev.kindling.spark.predict;

import dev.kindling.backend.Backends;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.spark.runtime.TaskGpu;
import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A model file's bytes, broadcast once so that every task that scores examples rebuilds the
 * network where it runs (a network is not serializable, and its file is the form that is
 * checked when it is read).
 */
public final class BroadcastModel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Broadcast<byte[]> description;
    private final Broadcast<byte[]> weights;
    private final String backend;

    private BroadcastModel(Broadcast<byte[]> description, Broadcast<byte[]> weights, String backend) {
        this.description = description;
        this.weights = weights;
        this.backend = backend;
    }

    /** Broadcasts {@code model}, whose tasks run {@code backend}; {@link #destroy} once the jobs are done. */
    public static BroadcastModel of(JavaSparkContext sc, ModelFile.Contents model, String backend) {
        byte[] weights = ModelFile.weights(model.parameters(), model.state());
        byte[] description = ModelFile.description(model.spec(), model.parameters().length, model.state().length,
                weights, model.metadata());
        return new BroadcastModel(sc.broadcast(description), sc.broadcast(weights), backend);
    }

    /** The network, built in the task that calls this, on the GPU assigned to the task if any. */
    public Network network() {
        return ModelFile.toNetwork("model", ModelFile.parse(ModelFile.DESCRIPTION, description.value(),
                ModelFile.WEIGHTS, weights.value()), Backends.create(backend, TaskGpu.assigned()));
    }

    public void destroy() {
        description.destroy();
        weights.destroy();
    }
}
