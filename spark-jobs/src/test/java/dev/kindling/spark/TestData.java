package dev.kindling.spark;

import dev.kindling.data.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Writes test data in the formats the sources read: Parquet through Spark, image folders as PNG files. */
final class TestData {
    private TestData() {
    }

    /**
     * Writes {@code d} as Parquet with an int {@code label} and an {@code image} column of
     * {@code imageType}: "binary", or the element type of an array ("int", "byte", "short", "float"),
     * at most {@code rowsPerFile} rows a file. The files' names sort in the examples' order.
     */
    static void writeParquet(SparkSession spark, Dataset d, Path dir, String imageType, int rowsPerFile) {
        writeParquet(spark, d, dir, imageType, rowsPerFile, Metadata.empty());
    }

    static void writeParquet(SparkSession spark, Dataset d, Path dir, String imageType, int rowsPerFile,
                             Metadata meta) {
        int f = d.featureCount();
        byte[] pixels = d.pixels();
        List<Row> rows = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) {
            rows.add(RowFactory.create(d.label(i), image(pixels, i * f, f, imageType)));
        }
        StructType schema = new StructType(new StructField[] {
            new StructField("label", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("image", imageType(imageType), false, meta)});
        // a local table is split into contiguous slices, one per task, written to part-0000N-<job>-c00K
        spark.createDataFrame(rows, schema).write().option("maxRecordsPerFile", rowsPerFile)
                .parquet(dir.toUri().toString());
    }

    static DataType imageType(String name) {
        return switch (name) {
            case "binary" -> DataTypes.BinaryType;
            case "int" -> DataTypes.createArrayType(DataTypes.IntegerType, false);
            case "byte" -> DataTypes.createArrayType(DataTypes.ByteType, false);
            case "short" -> DataTypes.createArrayType(DataTypes.ShortType, false);
            case "float" -> DataTypes.createArrayType(DataTypes.FloatType, false);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Object image(byte[] pixels, int from, int length, String type) {
        switch (type) {
            case "binary":
                return java.util.Arrays.copyOfRange(pixels, from, from + length);
            case "int": {
                Integer[] v = new Integer[length];
                for (int k = 0; k < length; k++) {
                    v[k] = pixels[from + k] & 0xFF;
                }
                return v;
            }
            case "byte": {
                Byte[] v = new Byte[length];
                for (int k = 0; k < length; k++) {
                    v[k] = pixels[from + k];
                }
                return v;
            }
            case "short": {
                Short[] v = new Short[length];
                for (int k = 0; k < length; k++) {
                    v[k] = (short) (pixels[from + k] & 0xFF);
                }
                return v;
            }
            case "float": {
                Float[] v = new Float[length];
                for (int k = 0; k < length; k++) {
                    v[k] = (float) (pixels[from + k] & 0xFF);
                }
                return v;
            }
            default:
                throw new IllegalArgumentException(type);
        }
    }
}
