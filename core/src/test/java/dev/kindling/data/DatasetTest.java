package dev.kindling.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    /** Four 1×2×2 examples whose pixels are 10·i + p, labelled 3, 0, 2, 1 of 4 classes. */
    private static Dataset small() {
        byte[] pixels = new byte[16];
        for (int i = 0; i < 4; i++) {
            for (int p = 0; p < 4; p++) {
                pixels[4 * i + p] = (byte) (10 * i + p);
            }
        }
        return new Dataset("small", 1, 2, 2, 4, pixels, new byte[] {3, 0, 2, 1});
    }

    @Test
    void exposesShapeAndLabels() {
        Dataset d = small();
        assertEquals(4, d.size());
        assertEquals(1, d.channels());
        assertEquals(2, d.height());
        assertEquals(2, d.width());
        assertEquals(4, d.classes());
        assertEquals(4, d.featureCount());
        assertEquals(2, d.label(2));
        assertEquals(31, d.pixel(3, 1));
        assertArrayEquals(new int[] {1, 1, 1, 1}, d.labelCounts());
    }

    @Test
    void fillBatchNormalisesPixelsAndWritesOneHotTargets() {
        byte[] pixels = {0, (byte) 255, 51, (byte) 128, 1, 2, 3, 4};
        Dataset d = new Dataset("pixels", 1, 2, 2, 3, pixels, new byte[] {2, 0});
        float[] x = new float[3 * 4];
        float[] oneHot = new float[3 * 3];
        int[] labels = new int[3];
        Arrays.fill(x, Float.NaN);
        Arrays.fill(oneHot, 7f);

        d.fillBatch(new int[] {9, 1, 0, 9}, 1, 3, x, oneHot, labels);

        assertArrayEquals(new float[] {1 / 255f, 2 / 255f, 3 / 255f, 4 / 255f}, Arrays.copyOfRange(x, 0, 4));
        assertArrayEquals(new float[] {0f, 1f, 0.2f, 128 / 255f}, Arrays.copyOfRange(x, 4, 8), 1e-7f);
        assertEquals(0f, x[4]);
        assertEquals(1f, x[5]);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, Arrays.copyOfRange(oneHot, 0, 6));
        assertArrayEquals(new int[] {0, 2}, Arrays.copyOfRange(labels, 0, 2));
        assertTrue(Float.isNaN(x[8]), "rows past the batch are left alone");
        assertEquals(7f, oneHot[6]);
    }

    @Test
    void fillBatchScalesEveryByteValueExactlyWhateverTheRowLength() {
        // 7×7 = 49 pixels: whole vectors and a remainder, rows starting at odd offsets.
        assertTrue(dev.kindling.backend.Backends.isVectorApiPresent(), "the vector path is what this tests");
        int examples = 40;
        byte[] pixels = new byte[examples * 49];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 37 + i / 256);
        }
        Dataset d = new Dataset("scaled", 1, 7, 7, 10, pixels, new byte[examples]);
        int[] order = new int[examples];
        for (int i = 0; i < examples; i++) {
            order[i] = (i * 17) % examples;
        }
        float[] x = new float[examples * 49];
        // 38 rows: nine groups of four rows filled together, then two alone
        d.fillBatch(order, 1, examples - 1, x, null, null);
        Set<Integer> seen = new HashSet<>();
        for (int b = 0; b < examples - 2; b++) {
            for (int f = 0; f < 49; f++) {
                int value = pixels[order[b + 1] * 49 + f] & 0xFF;
                seen.add(value);
                assertEquals(Float.floatToIntBits(value / 255f), Float.floatToIntBits(x[b * 49 + f]),
                        "example " + order[b + 1] + " pixel " + f + " (" + value + ")");
            }
        }
        assertEquals(256, seen.size(), "every byte value was checked");
    }

    @Test
    void fillBatchOverARangeAndWithoutOptionalOutputs() {
        Dataset d = small();
        float[] x = new float[8];
        d.fillBatch(2, 4, x, null, null);
        assertEquals(20 / 255f, x[0]);
        assertEquals(33 / 255f, x[7]);
    }

    @Test
    void fillBatchRejectsBuffersThatAreTooSmall() {
        Dataset d = small();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.fillBatch(new int[] {0, 1, 2}, 0, 3, new float[11], new float[12], new int[3]));
        assertEquals("x holds 11 values; a batch of 3 examples needs 12", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> d.fillBatch(new int[] {0, 1, 2}, 0, 3, new float[12], new float[11], new int[3]));
        assertThrows(IllegalArgumentException.class,
                () -> d.fillBatch(new int[] {0, 1, 2}, 0, 3, new float[12], new float[12], new int[2]));
    }

    @Test
    void fillBatchRejectsAnIndexOutOfRange() {
        Dataset d = small();
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> d.fillBatch(new int[] {0, 4}, 0, 2, new float[8], null, null));
        assertTrue(e.getMessage().contains("example index 4 at position 1"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> d.fillBatch(new int[] {0, 1}, 1, 3, new float[8], null, null));
    }

    @Test
    void constructorRejectsALabelOutOfRange() {
        KindlingException e = assertThrows(KindlingException.class,
                () -> new Dataset("shard-3", 1, 1, 1, 10, new byte[4], new byte[] {0, 9, 12, 15}));
        assertEquals("shard-3: label 12 at index 2 is out of range for 10 classes (0 to 9)", e.getMessage());
    }

    @Test
    void constructorReadsLabelsAsUnsignedBytes() {
        KindlingException e = assertThrows(KindlingException.class,
                () -> new Dataset("shard", 1, 1, 1, 10, new byte[1], new byte[] {(byte) 200}));
        assertTrue(e.getMessage().contains("label 200 at index 0"), e.getMessage());
        assertEquals(200, new Dataset("shard", 1, 1, 1, 256, new byte[1], new byte[] {(byte) 200}).label(0));
    }

    @Test
    void constructorRejectsAPixelCountThatDoesNotMatch() {
        KindlingException e = assertThrows(KindlingException.class,
                () -> new Dataset("shard", 1, 28, 28, 10, new byte[784 * 2 - 1], new byte[2]));
        assertEquals("shard: 1567 pixel bytes do not make 2 examples of 1 x 28 x 28 (expected 1568)", e.getMessage());
    }

    @Test
    void constructorRejectsABadShapeOrNumberOfClasses() {
        KindlingException shape = assertThrows(KindlingException.class,
                () -> new Dataset("s", 1, 0, 28, 10, new byte[0], new byte[0]));
        assertTrue(shape.getMessage().contains("bad example shape 1 x 0 x 28"), shape.getMessage());
        KindlingException none = assertThrows(KindlingException.class,
                () -> new Dataset("s", 1, 1, 1, 0, new byte[0], new byte[0]));
        assertTrue(none.getMessage().contains("0 classes"), none.getMessage());
        KindlingException many = assertThrows(KindlingException.class,
                () -> new Dataset("s", 1, 1, 1, 257, new byte[0], new byte[0]));
        assertTrue(many.getMessage().contains("257 classes"), many.getMessage());
        KindlingException huge = assertThrows(KindlingException.class,
                () -> new Dataset("s", 65536, 65536, 2, 10, new byte[0], new byte[0]));
        assertTrue(huge.getMessage().contains("65536 x 65536 x 2 has more pixels than fit"), huge.getMessage());
    }

    @Test
    void constructorCopiesItsInput() {
        byte[] pixels = {1, 2};
        byte[] labels = {0, 1};
        Dataset d = new Dataset("s", 1, 1, 1, 2, pixels, labels);
        pixels[0] = 9;
        labels[0] = 1;
        d.pixels()[1] = 9;
        d.labels()[1] = 0;
        assertEquals(1, d.pixel(0, 0));
        assertEquals(2, d.pixel(1, 0));
        assertEquals(0, d.label(0));
        assertEquals(1, d.label(1));
    }

    @Test
    void adoptKeepsTheArraysItIsGiven() {
        byte[] pixels = {1, 2};
        byte[] labels = {0, 1};
        Dataset d = Dataset.adopt("s", 1, 1, 1, 2, pixels, labels);
        // the caller handed the arrays over: a change it makes anyway shows (it must not make one)
        pixels[0] = 9;
        labels[0] = 1;
        assertEquals(9, d.pixel(0, 0));
        assertEquals(1, d.label(0));
    }

    @Test
    void adoptValidatesLikeTheConstructor() {
        KindlingException label = assertThrows(KindlingException.class,
                () -> Dataset.adopt("shard-3", 1, 1, 1, 10, new byte[4], new byte[] {0, 9, 12, 15}));
        assertEquals("shard-3: label 12 at index 2 is out of range for 10 classes (0 to 9)", label.getMessage());
        KindlingException count = assertThrows(KindlingException.class,
                () -> Dataset.adopt("shard", 1, 28, 28, 10, new byte[784 * 2 - 1], new byte[2]));
        assertTrue(count.getMessage().contains("1567 pixel bytes do not make 2 examples"), count.getMessage());
        assertThrows(NullPointerException.class, () -> Dataset.adopt("s", 1, 1, 1, 2, null, new byte[0]));
    }

    @Test
    void withClassesSharesTheExamplesInsteadOfCopyingThem() {
        int examples = 20_000;
        int features = 784; // 15.7 MB of pixels
        byte[] labels = new byte[examples];
        for (int i = 0; i < examples; i++) {
            labels[i] = (byte) (i % 10);
        }
        Dataset d = Dataset.adopt("big", 1, 28, 28, 10, new byte[examples * features], labels);
        d.withClasses(12); // loads what the first call needs
        long before = allocatedBytes();
        Dataset wide = d.withClasses(12);
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < examples * features / 16, "widening allocated " + allocated + " bytes");

        assertEquals(12, wide.classes());
        assertEquals(examples, wide.size());
        assertEquals(7, wide.label(7));
        assertEquals(12, wide.labelCounts().length);
        assertEquals(d.toString().replace("10 classes", "12 classes"), wide.toString());
        assertSame(d, d.withClasses(10), "the same classes: the same dataset");
        KindlingException narrow = assertThrows(KindlingException.class, () -> d.withClasses(9));
        assertEquals("big: label 9 at index 9 is out of range for 9 classes (0 to 8)", narrow.getMessage());
    }

    @Test
    void copyPixelsAndLabelsReadARangeOfExamplesIntoABuffer() {
        Dataset d = small();
        byte[] pixels = new byte[10];
        Arrays.fill(pixels, (byte) -1);
        d.copyPixels(1, 3, pixels, 1);
        assertArrayEquals(new byte[] {-1, 10, 11, 12, 13, 20, 21, 22, 23, -1}, pixels);
        byte[] labels = {-1, -1, -1, -1};
        d.copyLabels(2, 4, labels, 1);
        assertArrayEquals(new byte[] {-1, 2, 1, -1}, labels);
        d.copyPixels(4, 4, new byte[0], 0);
        assertThrows(IndexOutOfBoundsException.class, () -> d.copyPixels(3, 5, new byte[8], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> d.copyPixels(0, 2, new byte[8], 1));
        assertThrows(IndexOutOfBoundsException.class, () -> d.copyLabels(0, 2, new byte[1], 0));
    }

    /** Bytes this thread has allocated so far (HotSpot's count; steady between calls). */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void fromIdxBuildsADataset() {
        Dataset d = Dataset.fromIdx(IdxFile.images(2, 2, 3, IdxBytes.counting(12)),
                IdxFile.labels(new byte[] {4, 9}));
        assertEquals(2, d.size());
        assertEquals(1, d.channels());
        assertEquals(2, d.height());
        assertEquals(3, d.width());
        assertEquals(10, d.classes());
        assertEquals(11, d.pixel(1, 5));
        assertEquals(9, d.label(1));
    }

    @Test
    void fromIdxRejectsDifferentCountsNamingBothFiles() {
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        IdxFile.images(3, 2, 2, new byte[12]).write(images);
        IdxFile.labels(new byte[2]).write(labels);

        KindlingException e = assertThrows(KindlingException.class, () -> Dataset.read(images, labels));
        assertEquals(images + " holds 3 images but " + labels + " holds 2 labels", e.getMessage());
    }

    @Test
    void fromIdxRejectsALabelOutOfRangeNamingTheLabelsFile() {
        Path images = dir.resolve("images");
        Path labels = dir.resolve("labels");
        IdxFile.images(3, 1, 1, new byte[3]).write(images);
        IdxFile.labels(new byte[] {1, 5, 2}).write(labels);

        KindlingException e = assertThrows(KindlingException.class, () -> Dataset.read(images, labels, 5));
        assertEquals(labels + ": label 5 at index 1 is out of range for 5 classes (0 to 4)", e.getMessage());
        assertEquals(6, Dataset.read(images, labels, 6).classes());
    }

    @Test
    void fromIdxRejectsFilesOfTheWrongRank() {
        IdxFile flat = new IdxFile(new int[] {2, 4}, new byte[8]);
        KindlingException e = assertThrows(KindlingException.class,
                () -> Dataset.fromIdx(flat, IdxFile.labels(new byte[2])));
        assertTrue(e.getMessage().contains("has 2 (2 x 4)"), e.getMessage());
        assertThrows(KindlingException.class,
                () -> Dataset.fromIdx(IdxFile.images(2, 2, 2, new byte[8]), flat));
    }

    @Test
    void subsetAndSelectCopyTheChosenExamples() {
        Dataset d = small();

        Dataset middle = d.subset(1, 3);
        assertEquals(2, middle.size());
        assertEquals(10, middle.pixel(0, 0));
        assertEquals(2, middle.label(1));

        Dataset picked = d.select(new int[] {3, 0, 3});
        assertEquals(3, picked.size());
        assertEquals(30, picked.pixel(0, 0));
        assertEquals(3, picked.pixel(1, 3));
        assertArrayEquals(new byte[] {1, 3, 1}, picked.labels());

        assertEquals(0, d.subset(2, 2).size());
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(3, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> d.select(new int[] {4}));
    }

    @Test
    void shuffledIsASeededPermutation() {
        Dataset d = numbered(100);
        Dataset a = d.shuffled(42);
        Dataset b = d.shuffled(42);
        Dataset c = d.shuffled(43);

        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(a.labels(), b.labels());
        assertFalse(Arrays.equals(a.pixels(), c.pixels()));
        assertFalse(Arrays.equals(a.pixels(), d.pixels()));
        byte[] sorted = a.pixels();
        Arrays.sort(sorted);
        byte[] original = d.pixels();
        Arrays.sort(original);
        assertArrayEquals(original, sorted);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.pixel(i, 0) % 10, a.label(i), "labels travel with their pixels");
        }
    }

    @Test
    void splitIsDisjointCompleteAndSeeded() {
        Dataset d = numbered(100);
        Dataset[] parts = d.split(70, 7);
        assertEquals(70, parts[0].size());
        assertEquals(30, parts[1].size());
        Set<Integer> seen = new HashSet<>();
        for (Dataset part : parts) {
            for (int i = 0; i < part.size(); i++) {
                assertTrue(seen.add(part.pixel(i, 0)), "example " + part.pixel(i, 0) + " appears twice");
            }
        }
        assertEquals(100, seen.size());
        assertArrayEquals(parts[0].pixels(), d.split(70, 7)[0].pixels());
        assertThrows(KindlingException.class, () -> d.split(101, 7));
    }

    @Test
    void survivesJavaSerialization() throws IOException, ClassNotFoundException {
        Dataset d = small();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(d);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            Dataset copy = (Dataset) in.readObject();
            assertArrayEquals(d.pixels(), copy.pixels());
            assertArrayEquals(d.labels(), copy.labels());
            assertEquals(d.toString(), copy.toString());
        }
    }

    /** {@code n} one-pixel examples whose pixel is their index and label the index mod 10. */
    private static Dataset numbered(int n) {
        byte[] pixels = new byte[n];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            pixels[i] = (byte) i;
            labels[i] = (byte) (i % 10);
        }
        return new Dataset("numbered", 1, 1, 1, 10, pixels, labels);
    }
}
