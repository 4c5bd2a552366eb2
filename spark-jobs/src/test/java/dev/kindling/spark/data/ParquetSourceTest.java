package dev.kindling.spark.data;

import dev.kindling.spark.TestData;
import dev.kindling.spark.TestSpark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.data.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet through Spark SQL on local[2]: decoded pixels equal the IDX files', and every bad input is named. */
public class ParquetSourceTest {
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    static SparkSession spark;
    static Dataset train;
    static Dataset test;
    static Path fashion;

    @BeforeAll
    static void writeFashionMnistAsParquet() {
        spark = TestSpark.session();
        train = TestSpark.train(500);
        test = TestSpark.test(200);
        fashion = shared.resolve("fashion");
        TestData.writeParquet(spark, train, fashion.resolve("train"), "binary", 90);
        TestData.writeParquet(spark, test, fashion.resolve("test"), "binary", 90);
    }

    static DataSource open(Path location, Map<String, String> options) {
        return DataSources.open(location.toString(), new DataOptions(options), new Configuration());
    }

    @Test
    void binaryImagesInTrainAndTestDecodeToTheIdxPixelsInFileOrder() {
        DataSource source = open(fashion, Map.of());
        assertInstanceOf(ParquetSource.class, source);
        for (Dataset[] pair : new Dataset[][] {{train, source.train(spark).collect()}, {test, source.test(spark).collect()}}) {
            Dataset expected = pair[0];
            Dataset read = pair[1];
            assertEquals(expected.size(), read.size());
            assertEquals(1, read.channels());
            assertEquals(28, read.height()); // 784 bytes: a square image by default
            assertEquals(28, read.width());
            assertEquals(10, read.classes()); // the largest label plus one
            assertArrayEquals(expected.pixels(), read.pixels());
            assertArrayEquals(expected.labels(), read.labels());
        }
        assertEquals("parquet", source.record().get("format"));
    }

    @Test
    void arraysOfIntBytesShortsAndFloatsDecodeToTheSamePixels() {
        Dataset few = train.subset(0, 40);
        for (String type : List.of("int", "byte", "short", "float")) {
            Path dir = tmp.resolve(type);
            TestData.writeParquet(spark, few, dir.resolve("train.parquet"), type, 15);
            TestData.writeParquet(spark, few.subset(0, 5), dir.resolve("test.parquet"), "binary", 15);
            DataSource source = open(dir, Map.of());
            Dataset read = source.train(spark).collect();
            assertArrayEquals(few.pixels(), read.pixels(), type);
            assertArrayEquals(few.labels(), read.labels(), type);
            assertEquals(5, source.test(spark).collect().size());
        }
    }

    @Test
    void oneLocationIsSplitAtRandomFixedBySplitSeed() {
        Path one = tmp.resolve("all.parquet");
        TestData.writeParquet(spark, test, one, "binary", 1000);
        DataSource a = open(one, Map.of("test-fraction", "0.25", "split-seed", "7"));
        Dataset trainPart = a.train(spark).collect();
        Dataset testPart = a.test(spark).collect();
        assertEquals(150, trainPart.size());
        assertEquals(50, testPart.size());
        assertTrue(a.notes().get(0).contains("50 of the 200 examples"), a.notes().toString());
        int[] counts = test.labelCounts();
        for (int c = 0; c < counts.length; c++) {
            int got = c < trainPart.classes() ? trainPart.labelCounts()[c] : 0;
            got += c < testPart.classes() ? testPart.labelCounts()[c] : 0;
            assertEquals(counts[c], got, "class " + c);
        }
        DataSource again = open(one, Map.of("test-fraction", "0.25", "split-seed", "7"));
        assertArrayEquals(testPart.pixels(), again.test(spark).collect().pixels());
        Dataset defaultSplit = open(one, Map.of()).test(spark).collect();
        assertEquals(20, defaultSplit.size()); // 10 % by default
        UsageException e = assertThrows(UsageException.class, () -> open(fashion, Map.of("test-fraction", "0.2")));
        assertTrue(e.getMessage().contains("test-fraction") && e.getMessage().contains("train"), e.getMessage());
    }

    /** Two 2 x 3 images of 3 channels whose pixel p of channel c is 100 c + 10 (image) + p. */
    static List<Row> rgbRows(boolean interleaved) {
        List<Row> rows = new ArrayList<>();
        for (int image = 0; image < 2; image++) {
            byte[] bytes = new byte[18];
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 6; p++) {
                    bytes[interleaved ? p * 3 + c : c * 6 + p] = (byte) (100 * c + 10 * image + p);
                }
            }
            rows.add(RowFactory.create(image, bytes));
        }
        return rows;
    }

    @Test
    void theShapeComesFromOptionsOrTheColumnMetadataAndPixelsBecomeOnePlanePerChannel() {
        Metadata meta = new MetadataBuilder().putLong("channels", 3).putLong("height", 2).putLong("width", 3).build();
        Path withMeta = tmp.resolve("meta.parquet");
        write(withMeta, schema(DataTypes.IntegerType, DataTypes.BinaryType, meta), rgbRows(true));
        Path plain = tmp.resolve("plain.parquet");
        write(plain, schema(DataTypes.IntegerType, DataTypes.BinaryType, Metadata.empty()), rgbRows(false));
        Dataset fromMeta = read(withMeta, Map.of());
        Dataset fromOptions = read(plain, Map.of("channels", "3", "height", "2", "width", "3", "layout", "chw"));
        for (Dataset d : List.of(fromMeta, fromOptions)) {
            assertEquals(3, d.channels());
            assertEquals(2, d.height());
            assertEquals(3, d.width());
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 6; p++) {
                    assertEquals(100 * c + 10 + p, d.pixel(1, c * 6 + p), "channel " + c + " pixel " + p);
                }
            }
        }
        KindlingException e = assertThrows(KindlingException.class, () -> read(withMeta, Map.of("height", "3")));
        assertMentions(e, "data-option height 3", "height = 2", "column image");
        e = assertThrows(KindlingException.class, () -> read(plain, Map.of()));
        assertMentions(e, "part-00000", ".parquet, row 0", "column image", "18 values", "not a square image",
                "height and width");
    }

    @Test
    void aMissingLabelOrImageColumnIsNamedWithTheColumnsThere() {
        Path dir = tmp.resolve("columns.parquet");
        StructType schema = new StructType(new StructField[] {
            field("target", DataTypes.IntegerType, Metadata.empty()), field("image", DataTypes.BinaryType, Metadata.empty())});
        write(dir, schema, List.of(RowFactory.create(1, new byte[4])));
        KindlingException e = assertThrows(KindlingException.class, () -> read(dir, Map.of()));
        assertMentions(e, "columns.parquet", "no column \"label\"", "target, image", "label-column");
        assertEquals(1, read(dir, Map.of("label-column", "target")).label(0));
        e = assertThrows(KindlingException.class, () -> read(dir, Map.of("label-column", "target",
                "image-column", "pixels")));
        assertMentions(e, "no column \"pixels\"", "image-column");
    }

    @Test
    void aLabelOrImageColumnOfTheWrongTypeIsNamedWithItsType() {
        Path strings = tmp.resolve("string-labels.parquet");
        write(strings, schema(DataTypes.StringType, DataTypes.BinaryType, Metadata.empty()),
                List.of(RowFactory.create("coat", new byte[4])));
        assertMentions(assertThrows(KindlingException.class, () -> read(strings, Map.of())),
                "string-labels.parquet", "column label has type string", "integer type");
        Path text = tmp.resolve("string-images.parquet");
        write(text, schema(DataTypes.IntegerType, DataTypes.StringType, Metadata.empty()),
                List.of(RowFactory.create(1, "pixels")));
        assertMentions(assertThrows(KindlingException.class, () -> read(text, Map.of())),
                "string-images.parquet", "column image has type string", "binary");
    }

    @Test
    void anImageOfAnotherLengthIsNamedByFileAndRow() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(RowFactory.create(i, new byte[i == 2 ? 8 : 9]));
        }
        Path dir = tmp.resolve("lengths.parquet");
        write(dir, schema(DataTypes.IntegerType, DataTypes.BinaryType, Metadata.empty()), rows);
        assertMentions(assertThrows(KindlingException.class, () -> read(dir, Map.of())),
                "part-00000", ".parquet, row 2", "column image holds 8 values", "1 x 3 x 3", "= 9 values");
    }

    @Test
    void aLabelOutOfRangeIsNamedWithFileRowAndValue() {
        for (long bad : new long[] {-1, 256}) {
            Path dir = tmp.resolve("label" + bad + ".parquet");
            write(dir, schema(DataTypes.LongType, DataTypes.BinaryType, Metadata.empty()),
                    List.of(RowFactory.create(3L, new byte[4]), RowFactory.create(bad, new byte[4])));
            assertMentions(assertThrows(KindlingException.class, () -> read(dir, Map.of())),
                    ".parquet, row 1", "label " + bad, "column label", "out of range");
        }
        Path dir = tmp.resolve("classes.parquet");
        write(dir, schema(DataTypes.ByteType, DataTypes.BinaryType, Metadata.empty()),
                List.of(RowFactory.create((byte) 3, new byte[4]), RowFactory.create((byte) 7, new byte[4])));
        assertEquals(8, read(dir, Map.of()).classes());
        assertEquals(12, read(dir, Map.of("classes", "12")).classes());
        assertMentions(assertThrows(KindlingException.class, () -> read(dir, Map.of("classes", "5"))),
                ".parquet, row 1", "label 7", "5 classes", "data-option classes");
    }

    @Test
    void nullLabelsImagesAndPixelsAreNamed() {
        StructType binary = schema(DataTypes.IntegerType, DataTypes.BinaryType, Metadata.empty());
        Path nullLabel = tmp.resolve("null-label.parquet");
        write(nullLabel, binary, List.of(RowFactory.create(1, new byte[4]), RowFactory.create(null, new byte[4])));
        assertMentions(assertThrows(KindlingException.class, () -> read(nullLabel, Map.of())),
                ".parquet, row 1", "column label is null");
        Path nullImage = tmp.resolve("null-image.parquet");
        write(nullImage, binary, List.of(RowFactory.create(1, null)));
        assertMentions(assertThrows(KindlingException.class, () -> read(nullImage, Map.of())),
                ".parquet, row 0", "column image is null");
        Path nullPixel = tmp.resolve("null-pixel.parquet");
        write(nullPixel, schema(DataTypes.IntegerType, DataTypes.createArrayType(DataTypes.IntegerType, true),
                Metadata.empty()), List.of(RowFactory.create(1, new Integer[] {1, 2, null, 4})));
        assertMentions(assertThrows(KindlingException.class, () -> read(nullPixel, Map.of())),
                ".parquet, row 0", "element 2 of column image is null");
    }

    @Test
    void pixelValuesOutsideUint8AreNamed() {
        Path ints = tmp.resolve("ints.parquet");
        write(ints, schema(DataTypes.IntegerType, DataTypes.createArrayType(DataTypes.IntegerType, false),
                Metadata.empty()), List.of(RowFactory.create(1, new Integer[] {0, 255, 256, 0})));
        assertMentions(assertThrows(KindlingException.class, () -> read(ints, Map.of())),
                ".parquet, row 0", "element 2 of column image is 256", "0 to 255");
        Path floats = tmp.resolve("floats.parquet");
        write(floats, schema(DataTypes.IntegerType, DataTypes.createArrayType(DataTypes.DoubleType, false),
                Metadata.empty()), List.of(RowFactory.create(1, new Double[] {0.0, 0.5, 1.0, 1.0})));
        assertMentions(assertThrows(KindlingException.class, () -> read(floats, Map.of())),
                "element 1 of column image is 0.5", "scale 0..1 data by 255");
    }

    @Test
    void optionsAreCheckedAndMustApplyToTheData() {
        assertMentions(assertThrows(UsageException.class, () -> open(fashion, Map.of("colour", "grey"))),
                "unknown option \"colour\"", "color");
        assertMentions(assertThrows(UsageException.class, () -> open(fashion, Map.of("color", "grey"))),
                "color does not apply to Parquet data");
        assertMentions(assertThrows(UsageException.class, () -> open(fashion, Map.of("height", "0"))),
                "data-option height", "\"0\"");
        assertMentions(assertThrows(UsageException.class, () -> open(fashion, Map.of("layout", "nhwc"))),
                "data-option layout", "nhwc", "hwc, chw");
    }

    @Test
    void aCorruptParquetFileIsNamed() throws Exception {
        Path dir = tmp.resolve("corrupt");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.write(dir.resolve("part-0.parquet"), "PAR1 this is not parquet at all PAR1".getBytes());
        assertMentions(assertThrows(KindlingException.class, () -> read(dir, Map.of())),
                "corrupt", "cannot read as Parquet", "part-0.parquet");
    }

    static Dataset read(Path location, Map<String, String> options) {
        DataSource source = open(location, options);
        return ((SplitDataSource) source).readAll(spark, new org.apache.hadoop.fs.Path(location.toUri())).collect();
    }

    static StructField field(String name, DataType type, Metadata meta) {
        return new StructField(name, type, true, meta);
    }

    public static StructType schema(DataType label, DataType image, Metadata imageMeta) {
        return new StructType(new StructField[] {field("label", label, Metadata.empty()), field("image", image, imageMeta)});
    }

    /** One Parquet file holding {@code rows} in order. */
    static void write(Path dir, StructType schema, List<Row> rows) {
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir.toUri().toString());
    }

    static void assertMentions(Exception e, String... fragments) {
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "the message should name " + f + ": " + e.getMessage());
        }
    }
}
