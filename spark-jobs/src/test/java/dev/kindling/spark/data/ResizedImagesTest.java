package dev.kindling.spark.data;

import static dev.kindling.spark.data.ParquetSourceTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.data.Dataset;
import dev.kindling.spark.TestData;
import dev.kindling.spark.TestSpark;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * size=, resize= and color= on local[2]: colour images of mixed sizes in class folders and as
 * encoded PNG bytes in a Parquet column, resized on the executors; undecodable bytes named.
 */
public class ResizedImagesTest {
    @TempDir
    Path tmp;

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TestSpark.session();
    }

    /** A {@code w x h} image of one colour. */
    static BufferedImage plain(int w, int h, int r, int g, int b) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    static Dataset read(Path location, Map<String, String> options) {
        DataSource source = DataSources.open(location.toString(), new DataOptions(options), new Configuration());
        return ((SplitDataSource) source).readAll(spark, new org.apache.hadoop.fs.Path(location.toUri())).collect();
    }

    /** Plane {@code c} of example {@code i} as values. */
    static int[] plane(Dataset d, int i, int c) {
        int area = d.height() * d.width();
        int[] v = new int[area];
        for (int p = 0; p < area; p++) {
            v[p] = d.pixel(i, c * area + p);
        }
        return v;
    }

    static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void colourFoldersOfMixedSizesAreResizedToOneSize() throws Exception {
        Path dir = tmp.resolve("mixed");
        TestData.writePng(plain(40, 10, 200, 100, 50), dir.resolve("a/wide.png"));
        TestData.writePng(plain(7, 31, 10, 20, 30), dir.resolve("b/tall.png"));
        TestData.writePng(plain(5, 5, 255, 255, 255), dir.resolve("b/small.png"));
        for (String mode : List.of("crop", "stretch")) {
            Dataset d = read(dir, Map.of("size", "6x8", "resize", mode));
            assertEquals(3, d.size());
            assertEquals(List.of(3, 6, 8), List.of(d.channels(), d.height(), d.width()));
            // one colour stays one colour, whatever the scaling
            assertEquals(Arrays.toString(filled(48, 200)), Arrays.toString(plane(d, 0, 0)), mode);
            assertEquals(Arrays.toString(filled(48, 50)), Arrays.toString(plane(d, 0, 2)), mode);
            assertEquals(Arrays.toString(filled(48, 255)), Arrays.toString(plane(d, 1, 1)), mode); // b/small.png
            assertEquals(Arrays.toString(filled(48, 20)), Arrays.toString(plane(d, 2, 1)), mode); // b/tall.png
        }
        Dataset padded = read(dir, Map.of("size", "6x8", "resize", "pad", "color", "grey"));
        assertEquals(1, padded.channels());
        int[] wide = plane(padded, 0, 0); // 40 x 10 into 8 x 6: 8 x 2 rows in the middle
        int luma = (int) Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals(y == 2 || y == 3 ? luma : 0, wide[y * 8 + x], "pixel " + y + "," + x);
            }
        }
    }

    @Test
    void aCorruptPngInAFolderIsNamed() throws Exception {
        Path dir = tmp.resolve("corrupt");
        TestData.writePng(plain(8, 8, 1, 2, 3), dir.resolve("a/good.png"));
        byte[] whole = png(plain(30, 30, 9, 9, 9));
        Files.write(dir.resolve("a/cut.png"), Arrays.copyOf(whole, whole.length / 2));
        KindlingException e = assertThrows(KindlingException.class, () -> read(dir, Map.of("size", "4x4")));
        assertMentions(e, "a/cut.png", "not an image", "invalid-images=skip");
    }

    @Test
    void encodedPngBytesInParquetAreDecodedAndResized() throws Exception {
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(0, png(plain(20, 10, 200, 0, 0))));
        rows.add(RowFactory.create(1, png(plain(9, 17, 0, 150, 0))));
        rows.add(RowFactory.create(2, png(new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_GRAY))));
        Path file = tmp.resolve("encoded.parquet");
        spark.createDataFrame(rows, ParquetSourceTest.schema(DataTypes.IntegerType, DataTypes.BinaryType,
                Metadata.empty())).coalesce(1).write().parquet(file.toUri().toString());

        Dataset d = read(file, Map.of("image-format", "encoded", "size", "5x5", "color", "rgb"));
        assertEquals(List.of(3, 3, 5, 5, 3), List.of(d.size(), d.channels(), d.height(), d.width(), d.classes()));
        assertEquals(Arrays.toString(filled(25, 200)), Arrays.toString(plane(d, 0, 0)));
        assertEquals(Arrays.toString(filled(25, 0)), Arrays.toString(plane(d, 0, 1)));
        assertEquals(Arrays.toString(filled(25, 150)), Arrays.toString(plane(d, 1, 1)));
        assertEquals(Arrays.toString(filled(25, 0)), Arrays.toString(plane(d, 2, 2)));

        KindlingException mixed = assertThrows(KindlingException.class, () -> read(file, Map.of("image-format",
                "encoded", "color", "rgb")));
        assertMentions(mixed, "row 1", "9 x 17", "row 0, the first image, is 20 x 10", "size=HxW resizes them");
        assertMentions(assertThrows(UsageException.class, () -> read(file, Map.of("size", "5x5"))), "size",
                "does not apply to Parquet data");
        assertMentions(assertThrows(UsageException.class, () -> read(file, Map.of("image-format", "encoded",
                "height", "5"))), "image-format=encoded", "leave out height");

        rows.add(RowFactory.create(1, Arrays.copyOf(png(plain(30, 30, 5, 5, 5)), 60)));
        Path bad = tmp.resolve("bad.parquet");
        spark.createDataFrame(rows, ParquetSourceTest.schema(DataTypes.IntegerType, DataTypes.BinaryType,
                Metadata.empty())).coalesce(1).write().parquet(bad.toUri().toString());
        KindlingException corrupt = assertThrows(KindlingException.class, () -> read(bad, Map.of("image-format",
                "encoded", "size", "5x5")));
        assertMentions(corrupt, "bad.parquet", "row 3", "column image", "60 bytes", "not an image");
    }
}
