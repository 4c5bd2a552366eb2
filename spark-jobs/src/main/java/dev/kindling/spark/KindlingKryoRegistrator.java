package dev.kindling.spark;

import com.esotericsoftware.kryo.Kryo;
import dev.kindling.data.Dataset;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers every class Kindling sends through Spark, so jobs run with
 * {@code spark.kryo.registrationRequired=true}: data shards and float blocks get raw-bytes
 * serializers, the small records Kryo's defaults.
 */
public final class KindlingKryoRegistrator implements KryoRegistrator {
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
        kryo.register(ParameterBlock.class, new ParameterBlock.KryoSerializer());
        kryo.register(PartialSum.class, new PartialSum.KryoSerializer());
        kryo.register(PartialSum[].class);
        kryo.register(EvaluationSum.class);
        kryo.register(EvaluationSum[].class);
    }
}
