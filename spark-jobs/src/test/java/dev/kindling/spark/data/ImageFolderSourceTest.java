package dev.kindling.spark.data;

import dev.kindling.spark.TestData;
import dev.kindling.spark.TestSpark;

import static dev.kindling.spark.data.ParquetSourceTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders through Spark's image source on local[2]: PNG pixels equal the IDX files', classes sorted by name. */
public class ImageFolderSourceTest {
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    static SparkSession spark;
    static Dataset train;
    static Dataset test;
    static Path fashion;

    @BeforeAll
    static void writeFashionMnistAsPngFolders() throws Exception {
        spark = TestSpark.session();
        train = TestSpark.train(300);
        test = TestSpark.test(100);
        fashion = shared.resolve("fashion");
        TestData.writePngFolders(train, fashion.resolve("train"), TestData.FASHION_CLASSES);
        TestData.writePngFolders(test, fashion.resolve("test"), TestData.FASHION_CLASSES);
    }

    static DataSource open(Path location, Map<String, String> options) {
        return DataSources.open(location.toString(), new DataOptions(options), new Configuration());
    }

    static Dataset read(Path location, Map<String, String> options) {
        return ((SplitDataSource) open(location, options)).readAll(spark, new org.apache.hadoop.fs.Path(location.toUri())).collect();
    }

    /** {@code d} in the order of its PNG files (class folder by name, then index) with labels by sorted name. */
    static Dataset inFolderOrder(Dataset d, List<String> sorted) {
        List<Integer> order = new ArrayList<>();
        byte[] labels = new byte[d.size()];
        for (String name : sorted) {
            for (int i = 0; i < d.size(); i++) {
                if (TestData.FASHION_CLASSES.get(d.label(i)).equals(name)) {
                    labels[order.size()] = (byte) sorted.indexOf(name);
                    order.add(i);
                }
            }
        }
        Dataset reordered = d.select(order.stream().mapToInt(Integer::intValue).toArray());
        return new Dataset("expected", 1, 28, 28, 10, reordered.pixels(), labels);
    }

    @Test
    void greyPngFoldersDecodeToTheIdxPixelsWithClassesSortedByName() {
        DataSource source = open(fashion, Map.of());
        assertInstanceOf(ImageFolderSource.class, source);
        List<String> sorted = new ArrayList<>(TestData.FASHION_CLASSES);
        sorted.sort(null);
        assertEquals(sorted, source.classNames());
        assertEquals(List.of("ankle-boot", "bag", "coat"), source.classNames().subList(0, 3));
        for (Dataset[] pair : new Dataset[][] {{train, source.train(spark).collect()}, {test, source.test(spark).collect()}}) {
            Dataset expected = inFolderOrder(pair[0], sorted);
            Dataset read = pair[1];
            assertEquals(1, read.channels());
            assertEquals(28, read.height());
            assertEquals(28, read.width());
            assertEquals(10, read.classes());
            assertArrayEquals(expected.pixels(), read.pixels());
            assertArrayEquals(expected.labels(), read.labels());
        }
        assertEquals(sorted, source.record().get("classes"));
    }

    /** A 3 x 2 image whose pixel p has red 10 p + base, green 100 + p, blue 200 + p. */
    static BufferedImage colour(int base) {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < 6; p++) {
            image.setRGB(p % 3, p / 3, (10 * p + base) << 16 | (100 + p) << 8 | (200 + p));
        }
        return image;
    }

    @Test
    void colourImagesKeepRgbPlanesOrBecomeGrey() throws Exception {
        Path dir = tmp.resolve("colour");
        TestData.writePng(colour(1), dir.resolve("train/b/1.png"));
        TestData.writePng(colour(2), dir.resolve("train/a/1.png"));
        Dataset kept = read(dir.resolve("train"), Map.of());
        assertEquals(3, kept.channels());
        assertEquals(2, kept.height());
        assertEquals(3, kept.width());
        assertEquals(0, kept.label(0)); // a/1.png first: class "a" is label 0
        for (int p = 0; p < 6; p++) {
            assertEquals(10 * p + 2, kept.pixel(0, p), "red of pixel " + p);
            assertEquals(100 + p, kept.pixel(0, 6 + p), "green of pixel " + p);
            assertEquals(200 + p, kept.pixel(0, 12 + p), "blue of pixel " + p);
        }
        Dataset grey = read(dir.resolve("train"), Map.of("color", "grey"));
        assertEquals(1, grey.channels());
        for (int p = 0; p < 6; p++) {
            long luma = Math.round(0.299 * (10 * p + 1) + 0.587 * (100 + p) + 0.114 * (200 + p));
            assertEquals(luma, grey.pixel(1, p), "luma of pixel " + p);
        }
        BufferedImage g = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(1, 0, 0, 77);
        TestData.writePng(g, dir.resolve("train/c/grey.png"));
        KindlingException e = assertThrows(KindlingException.class, () -> read(dir.resolve("train"), Map.of()));
        assertMentions(e, "c/grey.png", "3 x 2 with 1 channel(s)", "a/1.png, the first image", "3 x 2 with 3",
                "as many channels", "color=grey or color=rgb");
        Dataset rgb = read(dir.resolve("train"), Map.of("color", "rgb"));
        assertEquals(3, rgb.channels());
        for (int c = 0; c < 3; c++) {
            assertEquals(77, rgb.pixel(2, c * 6 + 1), "channel " + c);
        }
    }

    @Test
    void aFileThatIsNotAnImageIsNamedOrLeftOutOnRequest() throws Exception {
        Path dir = tmp.resolve("invalid");
        TestData.writePngFolders(train.subset(0, 20), dir, TestData.FASHION_CLASSES);
        Path notes = dir.resolve("coat/notes.txt");
        Files.writeString(notes, "not an image");
        KindlingException e = assertThrows(KindlingException.class, () -> read(dir, Map.of()));
        assertMentions(e, "coat/notes.txt", "not an image", "invalid-images=skip");
        DataSource skipping = open(dir, Map.of("invalid-images", "skip", "test-fraction", "0.5"));
        assertEquals(10, skipping.train(spark).collect().size());
        assertTrue(skipping.notes().stream().anyMatch(n -> n.contains("left out 1 file") && n.contains("notes.txt")),
                skipping.notes().toString());
    }

    @Test
    void anImageOfAnotherSizeIsNamedWithTheFirstImage() throws Exception {
        Path dir = tmp.resolve("sizes");
        TestData.writePngFolders(train.subset(0, 20), dir, TestData.FASHION_CLASSES);
        TestData.writePng(new BufferedImage(27, 28, BufferedImage.TYPE_BYTE_GRAY), dir.resolve("shirt/small.png"));
        KindlingException e = assertThrows(KindlingException.class, () -> read(dir, Map.of()));
        assertMentions(e, "shirt/small.png", "27 x 28 with 1 channel(s)", "the first image, is 28 x 28",
                "size=HxW resizes them");
        assertTrue(e.getMessage().contains("ankle-boot/"), "the first image by path: " + e.getMessage());
    }

    @Test
    void theFoldersMustBeClassFoldersAndTestClassesAmongTheTrainingOnes() throws Exception {
        Path dir = tmp.resolve("layout");
        TestData.writePngFolders(train.subset(0, 12), dir.resolve("train"), TestData.FASHION_CLASSES);
        TestData.writePngFolders(train.subset(0, 12), dir.resolve("test"), TestData.FASHION_CLASSES);
        TestData.writePng(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), dir.resolve("test/cap/1.png"));
        DataSource source = open(dir, Map.of());
        int classes = source.classNames().size();
        KindlingException e = assertThrows(KindlingException.class, () -> source.test(spark).collect());
        assertMentions(e, "test/cap", "class folder cap is not among the training classes", "ankle-boot");
        Files.writeString(dir.resolve("train/labels.csv"), "x");
        e = assertThrows(KindlingException.class, () -> open(dir, Map.of()));
        assertMentions(e, "train/labels.csv", "a file beside the class folders");
        Files.delete(dir.resolve("train/labels.csv"));
        Files.writeString(dir.resolve("train/.DS_Store"), "hidden files are skipped");
        assertEquals(classes, open(dir, Map.of()).classNames().size());
    }

    @Test
    void manyClassFoldersAreListedThroughSpark() throws Exception {
        Path dir = tmp.resolve("many");
        for (int c = 0; c < 40; c++) { // more than Spark lists on the driver (32): a listing job
            TestData.writePng(new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY),
                    dir.resolve(String.format("class%02d/%d.png", c, c)));
        }
        Dataset all = read(dir, Map.of());
        assertEquals(40, all.size());
        assertEquals(40, all.classes());
        assertEquals(39, all.label(39));
    }
}
