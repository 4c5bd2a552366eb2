package dev.kindling.spark.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.kindling.spark.io.RawFloats;
import dev.kindling.spark.runtime.ExecutorKernels;
import java.io.Serializable;

/**
 * The sums a round's tasks send back and the tree aggregation adds up, in place: a vector (the
 * summed gradient in sync mode, the parameters in local mode), the network state weighted by
 * example count (sync) or per shard (local), the optimizer state (local), the summed loss,
 * examples, correct predictions, shards merged, and the slowest task's compute time.
 *
 * <p>{@link #empty()} holds no arrays: it is the zero value of the aggregation, tiny to ship,
 * and adopts the first real partial's arrays instead of adding them to zeros.
 */
public final class PartialSum implements Serializable {
    private static final long serialVersionUID = 1L;

    public float[] vector;
    public float[] state;
    public float[] optimizerState;
    public double loss;
    public long examples;
    public long correct;
    public int shards;
    public long computeNanos;
    /**
     * Which partitions returned non-finite values, and where (null: none). Set on the executor by
     * {@link #checkFinite}, so that the driver names the partition instead of applying NaN.
     */
    String nonFinite;
    /** The OpenBLAS kernels of the executors that computed this sum ({@link ExecutorKernels}), or null. */
    String kernels;

    static PartialSum empty() {
        return new PartialSum();
    }

    boolean isEmpty() {
        return shards == 0;
    }

    /** Adds {@code other} into this one (changing this one) and returns this one. */
    PartialSum merge(PartialSum other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            vector = other.vector;
            state = other.state;
            optimizerState = other.optimizerState;
        } else {
            add(vector, other.vector);
            add(state, other.state);
            add(optimizerState, other.optimizerState);
        }
        loss += other.loss;
        examples += other.examples;
        correct += other.correct;
        shards += other.shards;
        computeNanos = Math.max(computeNanos, other.computeNanos);
        if (other.nonFinite != null) {
            nonFinite = nonFinite == null ? other.nonFinite : nonFinite + "; " + other.nonFinite;
        }
        kernels = ExecutorKernels.merge(kernels, other.kernels);
        return this;
    }

    /** This partial, marked where partition {@code p}'s loss or arrays hold NaN or infinity. */
    PartialSum checkFinite(int p, String vectorName) {
        String problem = !Double.isFinite(loss) ? "loss " + loss
                : firstNonFinite(vectorName, vector) != null ? firstNonFinite(vectorName, vector)
                : firstNonFinite("network state", state) != null ? firstNonFinite("network state", state)
                : firstNonFinite("optimizer state", optimizerState);
        if (problem != null) {
            nonFinite = "partition " + p + " returned a non-finite " + problem;
        }
        return this;
    }

    /** Where {@code values} first holds NaN or infinity, named {@code name}; null where nowhere (or no array). */
    static String firstNonFinite(String name, float[] values) {
        if (values == null) {
            return null;
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return name + " (element " + i + " is " + values[i] + ")";
            }
        }
        return null;
    }

    private static void add(float[] into, float[] from) {
        if (into == null && from == null) {
            return;
        }
        if (into == null || from == null || into.length != from.length) {
            throw new IllegalStateException("partial sums of different shapes: "
                    + (into == null ? "null" : into.length) + " vs " + (from == null ? "null" : from.length));
        }
        for (int i = 0; i < into.length; i++) {
            into[i] += from[i];
        }
    }

    /** Raw-bytes Kryo serializer. */
    public static final class KryoSerializer extends Serializer<PartialSum> {
        @Override
        public void write(Kryo kryo, Output output, PartialSum s) {
            RawFloats.write(output, s.vector);
            RawFloats.write(output, s.state);
            RawFloats.write(output, s.optimizerState);
            output.writeDouble(s.loss);
            output.writeLong(s.examples);
            output.writeLong(s.correct);
            output.writeInt(s.shards);
            output.writeLong(s.computeNanos);
            output.writeString(s.nonFinite);
            output.writeString(s.kernels);
        }

        @Override
        public PartialSum read(Kryo kryo, Input input, Class<PartialSum> type) {
            PartialSum s = new PartialSum();
            s.vector = RawFloats.read(input);
            s.state = RawFloats.read(input);
            s.optimizerState = RawFloats.read(input);
            s.loss = input.readDouble();
            s.examples = input.readLong();
            s.correct = input.readLong();
            s.shards = input.readInt();
            s.computeNanos = input.readLong();
            s.nonFinite = input.readString();
            s.kernels = input.readString();
            return s;
        }
    }
}
