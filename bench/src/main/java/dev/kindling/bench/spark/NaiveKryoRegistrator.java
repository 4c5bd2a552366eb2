package dev.kindling.bench.spark;

import com.esotericsoftware.kryo.Kryo;
import dev.kindling.data.Dataset;
import dev.kindling.spark.io.DatasetSerializer;
import dev.kindling.spark.train.EvaluationSum;
import dev.kindling.spark.train.ParameterBlock;
import dev.kindling.spark.train.PartialSum;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * The round benchmark's baseline: the same classes registered with Kryo's default serializers
 * (a float array written one float at a time) instead of the raw-bytes ones.
 */
public final class NaiveKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(float[].class);
        kryo.register(int[].class);
        kryo.register(int[][].class);
        kryo.register(byte[].class);
        kryo.register(long[].class);
        kryo.register(double[].class);
        kryo.register(Object[].class);
        kryo.register(Dataset.class, new DatasetSerializer());
        kryo.register(Dataset[].class);
        kryo.register(ParameterBlock.class);
        kryo.register(PartialSum.class);
        kryo.register(PartialSum[].class);
        kryo.register(EvaluationSum.class);
        kryo.register(EvaluationSum[].class);
    }
}
