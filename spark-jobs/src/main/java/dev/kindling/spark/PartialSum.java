package dev.kindling.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
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
final class PartialSum implements Serializable {
    private static final long serialVersionUID = 1L;

    float[] vector;
    float[] state;
    float[] optimizerState;
    double loss;
    long examples;
    long correct;
    int shards;
    long computeNanos;

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
        return this;
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
    static final class KryoSerializer extends Serializer<PartialSum> {
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
            return s;
        }
    }
}
