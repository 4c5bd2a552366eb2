package dev.kindling.spark;

import com.esotericsoftware.kryo.Kryo;
import dev.kindling.data.Dataset;
import dev.kindling.spark.data.Example;
import dev.kindling.spark.data.ExampleBlock;
import dev.kindling.spark.io.DatasetSerializer;
import dev.kindling.spark.train.EvaluationSum;
import dev.kindling.spark.train.ParameterBlock;
import dev.kindling.spark.train.PartialSum;
import dev.kindling.spark.train.SegmentResult;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers every class Kindling sends through Spark, so jobs run with
 * {@code spark.kryo.registrationRequired=true}: data shards and float blocks get raw-bytes
 * serializers, the small records Kryo's defaults; and Spark SQL's schema classes, which the
 * Parquet and image sources' jobs send.
 */
public final class KindlingKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(float[].class);
        kryo.register(int[].class);
        kryo.register(int[][].class);
        kryo.register(byte[].class);
        kryo.register(long[].class);
        kryo.register(long[][].class); // a confusion matrix's counts
        kryo.register(double[].class);
        kryo.register(Object[].class);
        kryo.register(Dataset.class, new DatasetSerializer());
        kryo.register(Dataset[].class);
        kryo.register(ParameterBlock.class, new ParameterBlock.KryoSerializer());
        kryo.register(PartialSum.class, new PartialSum.KryoSerializer());
        kryo.register(PartialSum[].class);
        kryo.register(EvaluationSum.class);
        kryo.register(EvaluationSum[].class);
        kryo.register(SegmentResult.class);
        kryo.register(SegmentResult[].class);
        kryo.register(String[].class);
        kryo.register(ExampleBlock.class);
        kryo.register(ExampleBlock[].class);
        kryo.register(Example.class);
        kryo.register(Example[].class);
        // package-private: the driver's summary of decoded blocks (counts per file, first examples)
        registerIfPresent(kryo, "dev.kindling.spark.data.DecodedBlocks$Summary");
        registerIfPresent(kryo, "dev.kindling.spark.data.DecodedBlocks$Mark");
        for (String name : SQL_CLASSES) {
            registerIfPresent(kryo, name);
        }
        for (String name : ML_CLASSES) {
            registerIfPresent(kryo, name);
        }
    }

    /**
     * Spark SQL's schema classes: reading Parquet runs a job that returns each file's schema
     * (every type a file may hold). (Spark's parallel file listing, which would send Hadoop's
     * file-system-specific FileStatus classes, is kept off: {@link SparkSettings}.) Names, since
     * some exist in one Spark version only; those missing are skipped.
     */
    static final String[] SQL_CLASSES = {
        "org.apache.spark.sql.types.StructType",
        "org.apache.spark.sql.types.StructType[]",
        "org.apache.spark.sql.types.StructField",
        "org.apache.spark.sql.types.StructField[]",
        "org.apache.spark.sql.types.ArrayType",
        "org.apache.spark.sql.types.MapType",
        "org.apache.spark.sql.types.DecimalType",
        "org.apache.spark.sql.types.CharType",
        "org.apache.spark.sql.types.VarcharType",
        "org.apache.spark.sql.types.StringType",
        "org.apache.spark.sql.types.DayTimeIntervalType",
        "org.apache.spark.sql.types.YearMonthIntervalType",
        "org.apache.spark.sql.types.TimeType",
        "org.apache.spark.sql.types.Metadata",
        "org.apache.spark.sql.types.Metadata[]",
        "org.apache.spark.sql.types.BinaryType$",
        "org.apache.spark.sql.types.BooleanType$",
        "org.apache.spark.sql.types.ByteType$",
        "org.apache.spark.sql.types.ShortType$",
        "org.apache.spark.sql.types.IntegerType$",
        "org.apache.spark.sql.types.LongType$",
        "org.apache.spark.sql.types.FloatType$",
        "org.apache.spark.sql.types.DoubleType$",
        "org.apache.spark.sql.types.StringType$",
        "org.apache.spark.sql.types.DateType$",
        "org.apache.spark.sql.types.TimestampType$",
        "org.apache.spark.sql.types.TimestampNTZType$",
        "org.apache.spark.sql.types.NullType$",
        "org.apache.spark.sql.types.CalendarIntervalType$",
        "org.apache.spark.sql.types.VariantType$",
        "org.apache.spark.sql.types.DecimalType$",
        "org.apache.spark.sql.types.CharType$",
        "org.apache.spark.sql.types.VarcharType$",
        "org.apache.spark.sql.types.ArrayType$",
        "org.apache.spark.sql.types.MapType$",
        "org.apache.spark.sql.types.StructType$",
        "org.apache.spark.sql.types.Metadata$",
        "boolean[]",
        "java.lang.String[][]",
    };

    /**
     * What Spark ML's jobs send when the Kindling estimator runs in a pipeline: vector columns'
     * schema type and values, and the evaluators' and cross-validation's records.
     */
    static final String[] ML_CLASSES = {
        "org.apache.spark.ml.linalg.VectorUDT",
        "org.apache.spark.ml.linalg.MatrixUDT",
        "org.apache.spark.ml.linalg.DenseVector",
        "org.apache.spark.ml.linalg.SparseVector",
    };

    private static void registerIfPresent(Kryo kryo, String name) {
        Class<?> c = classNamed(name);
        if (c != null) {
            kryo.register(c);
        }
    }

    private static Class<?> classNamed(String name) {
        if (name.endsWith("[]")) {
            Class<?> element = classNamed(name.substring(0, name.length() - 2));
            return element == null ? null : java.lang.reflect.Array.newInstance(element, 0).getClass();
        }
        if (name.equals("boolean")) {
            return boolean.class;
        }
        try {
            return Class.forName(name, false, KindlingKryoRegistrator.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
