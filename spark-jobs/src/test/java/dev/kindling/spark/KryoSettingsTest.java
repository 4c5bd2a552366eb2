package dev.kindling.spark;

import dev.kindling.spark.train.ParameterBlock;
import dev.kindling.spark.train.PartialSum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.data.Dataset;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

/** Every test's Spark runs Kryo with registration required, and what travels is registered. */
public class KryoSettingsTest {

    @Test
    void theTestSparkRequiresRegistrationWithOurRegistrator() {
        SparkConf conf = TestSpark.context().getConf();
        assertEquals("org.apache.spark.serializer.KryoSerializer", conf.get("spark.serializer"));
        assertEquals("true", conf.get("spark.kryo.registrationRequired"));
        assertEquals(KindlingKryoRegistrator.class.getName(), conf.get("spark.kryo.registrator"));
    }

    record Unregistered(int x) implements java.io.Serializable {
    }

    @Test
    void aJobReturningAnUnregisteredClassFails() {
        TestSpark.context().setLogLevel("OFF"); // the executor would log the expected failure at length
        Exception e;
        try {
            e = assertThrows(Exception.class, () -> TestSpark.context().parallelize(List.of(1, 2), 2)
                    .map(Unregistered::new).collect());
        } finally {
            TestSpark.context().setLogLevel("WARN");
        }
        assertTrue(String.valueOf(e.getMessage()).contains("not registered"), e.getMessage());
    }

    static <T> T roundTrip(T value, Class<T> type) {
        SerializerInstance kryo = new KryoSerializer(TestSpark.conf()).newInstance();
        ByteBuffer bytes = kryo.serialize(value, ClassTag$.MODULE$.apply(type));
        return kryo.deserialize(bytes, ClassTag$.MODULE$.apply(type));
    }

    @Test
    void floatBlocksAndShardsSurviveTheirSerializers() {
        PartialSum s = new PartialSum();
        s.vector = new float[] {1.5f, -0f, Float.MIN_VALUE, Float.NaN, 3e38f};
        s.state = new float[40_000]; // more than one 64 KiB chunk
        s.state[39_999] = 7f;
        s.loss = 2.5;
        s.examples = 3;
        s.correct = 2;
        s.shards = 1;
        s.computeNanos = 42;
        PartialSum back = roundTrip(s, PartialSum.class);
        assertArrayEquals(s.vector, back.vector);
        assertArrayEquals(s.state, back.state);
        assertEquals(null, back.optimizerState);
        assertEquals(2.5, back.loss);
        assertEquals(3, back.examples);
        assertEquals(42, back.computeNanos);

        ParameterBlock b = roundTrip(new ParameterBlock(new float[] {1, 2}, new float[0], new float[] {3}),
                ParameterBlock.class);
        assertArrayEquals(new float[] {1, 2}, b.parameters);
        assertArrayEquals(new float[] {3}, b.optimizerState);

        Dataset d = TestSpark.train(10);
        Dataset e = roundTrip(d, Dataset.class);
        assertArrayEquals(d.pixels(), e.pixels());
        assertArrayEquals(d.labels(), e.labels());
        assertEquals(d.source(), e.source());
    }
}
