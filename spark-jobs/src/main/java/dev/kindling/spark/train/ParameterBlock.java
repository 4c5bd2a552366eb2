package dev.kindling.spark.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.kindling.spark.io.RawFloats;
import java.io.Serializable;

/**
 * What the driver broadcasts each round: the flat parameter vector, the network's state
 * (BatchNorm running statistics) and, in local mode, the optimizer state. The arrays are the
 * driver's own and are not copied: the driver changes them only after the round's tasks have
 * finished and the broadcast is destroyed.
 */
public final class ParameterBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    public final float[] parameters;
    final float[] state;
    /** Null in sync mode, where the optimizer state stays on the driver. */
    public final float[] optimizerState;

    public ParameterBlock(float[] parameters, float[] state, float[] optimizerState) {
        this.parameters = parameters;
        this.state = state;
        this.optimizerState = optimizerState;
    }

    /** Raw-bytes Kryo serializer: three float blocks. */
    public static final class KryoSerializer extends Serializer<ParameterBlock> {
        @Override
        public void write(Kryo kryo, Output output, ParameterBlock b) {
            RawFloats.write(output, b.parameters);
            RawFloats.write(output, b.state);
            RawFloats.write(output, b.optimizerState);
        }

        @Override
        public ParameterBlock read(Kryo kryo, Input input, Class<ParameterBlock> type) {
            return new ParameterBlock(RawFloats.read(input), RawFloats.read(input), RawFloats.read(input));
        }
    }
}
