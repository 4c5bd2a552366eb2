package dev.kindling.spark;

import dev.kindling.data.Dataset;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
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
public final class TestData {
    private TestData() {
    }

    /**
     * Writes {@code d} as Parquet with an int {@code label} and an {@code image} column of
     * {@code imageType}: "binary", or the element type of an array ("int", "byte", "short", "float"),
     * at most {@code rowsPerFile} rows a file. The files' names sort in the examples' order.
     */
    public static void writeParquet(SparkSession spark, Dataset d, Path dir, String imageType, int rowsPerFile) {
        writeParquet(spark, d, dir, imageType, rowsPerFile, Metadata.empty());
    }

    public static void writeParquet(SparkSession spark, Dataset d, Path dir, String imageType, int rowsPerFile,
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

    /** Fashion-MNIST's class names by label. */
    public static final List<String> FASHION_CLASSES = List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal",
            "shirt", "sneaker", "bag", "ankle-boot");

    /**
     * Writes {@code d}'s images (one channel) as grey PNG files {@code dir/CLASS/NNNNN.png}, CLASS the
     * label's name in {@code classes}, NNNNN the example's index.
     */
    public static void writePngFolders(Dataset d, Path dir, List<String> classes) throws IOException {
        for (int i = 0; i < d.size(); i++) {
            BufferedImage image = new BufferedImage(d.width(), d.height(), BufferedImage.TYPE_BYTE_GRAY);
            WritableRaster raster = image.getRaster();
            for (int y = 0; y < d.height(); y++) {
                for (int x = 0; x < d.width(); x++) {
                    raster.setSample(x, y, 0, d.pixel(i, y * d.width() + x));
                }
            }
            Path file = dir.resolve(classes.get(d.label(i))).resolve(String.format("%05d.png", i));
            writePng(image, file);
        }
    }

    public static void writePng(BufferedImage image, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    public static DataType imageType(String name) {
        return switch (name) {
            case "binary" -> DataTypes.BinaryType;
            case "int" -> DataTypes.createArrayType(DataTypes.IntegerType, false);
            case "byte" -> DataTypes.createArrayType(DataTypes.ByteType, false);
            case "short" -> DataTypes.createArrayType(DataTypes.ShortType, false);
            case "float" -> DataTypes.createArrayType(DataTypes.FloatType, false);
            default -> throw new IllegalArgumentException(name);
        };
    }

    public static Object image(byte[] pixels, int from, int length, String type) {
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

    /** The four IDX files (gzip) in {@code dir}, each set {@code n} blank 28 x 28 images labelled 0, 1, ... classes - 1, 0, ... */
    public static Path writeIdx(Path dir, int n, int classes) throws IOException {
        Files.createDirectories(dir);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % classes);
        }
        for (String prefix : List.of("train", "t10k")) {
            dev.kindling.data.IdxFile.images(n, 28, 28, new byte[n * 784]).write(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
            dev.kindling.data.IdxFile.labels(labels).write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"));
        }
        return dir;
    }
}
