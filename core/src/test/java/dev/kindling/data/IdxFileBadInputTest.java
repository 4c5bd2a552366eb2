package dev.kindling.data;

import static dev.kindling.data.IdxBytes.concat;
import static dev.kindling.data.IdxBytes.counting;
import static dev.kindling.data.IdxBytes.cut;
import static dev.kindling.data.IdxBytes.gzip;
import static dev.kindling.data.IdxBytes.header;
import static dev.kindling.data.IdxBytes.idx;
import static dev.kindling.data.IdxBytes.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per way an IDX file can be wrong: each must fail with one message naming file and value. */
class IdxFileBadInputTest {
    private static final String IMAGES = "train-images-idx3-ubyte";
    private static final String LABELS = "train-labels-idx1-ubyte";

    @TempDir
    Path dir;

    @Test
    void missingFile() {
        Path file = dir.resolve(IMAGES + ".gz");
        String message = fails(file, 3);
        assertEquals(file + ": file not found", message);
    }

    @Test
    void directoryInsteadOfFile() throws IOException {
        Path file = Files.createDirectory(dir.resolve(IMAGES));
        String message = fails(file, 3);
        assertEquals(file + ": is a directory, not an IDX file", message);
    }

    @Test
    void emptyFile() {
        Path file = write(dir.resolve(IMAGES), new byte[0]);
        String message = fails(file, 3);
        assertEquals(file + ": is empty (0 bytes)", message);
    }

    @Test
    void emptyGzipStream() {
        Path file = write(dir.resolve(IMAGES + ".gz"), gzip(new byte[0]));
        String message = fails(file, 3);
        assertEquals(file + ": is empty (its gzip stream holds no data)", message);
    }

    @Test
    void badMagicNumber() {
        Path file = write(dir.resolve(IMAGES), concat(header(0x12340803, 1, 1, 1), new byte[1]));
        String message = fails(file, 3);
        assertEquals(file + ": bad magic number 0x12340803 (expected 0x00000803 for an images file)", message);
    }

    @Test
    void wrongDataTypeByte() {
        // 0x0D is IDX's float type: a real IDX file, but not one of pixels.
        Path file = write(dir.resolve(IMAGES), concat(header(0x00000D03, 1, 1, 1), new byte[4]));
        String message = fails(file, 3);
        assertContains(message, file.toString(), "unsupported data type 0x0D", "0x00000D03", "0x08");
    }

    @Test
    void wrongNumberOfDimensions() {
        Path file = write(dir.resolve(IMAGES + ".gz"), gzip(idx(counting(4), 2, 2)));
        String message = fails(file, 3);
        assertEquals(file + ": bad magic number 0x00000802 (expected 0x00000803 for an images file)", message);
    }

    @Test
    void imagesFileGivenAsLabels() {
        Path file = write(dir.resolve(LABELS), idx(counting(4), 1, 2, 2));
        String message = fails(file, 1);
        assertEquals(file + ": bad magic number 0x00000803 (expected 0x00000801 for a labels file)", message);
    }

    @Test
    void zeroDimensionsInMagicNumber() {
        Path file = write(dir.resolve("scalar"), header(0x00000800));
        String message = fails(file, IdxFile.ANY_RANK);
        assertContains(message, file.toString(), "bad magic number 0x00000800");
    }

    @Test
    void zeroDimension() {
        Path file = write(dir.resolve(IMAGES), header(0x00000803, 60000, 0, 28));
        String message = fails(file, 3);
        assertEquals(file + ": bad dimensions 60000 x 0 x 28: dimension 2 of 3 is 0 (each must be at least 1)",
                message);
    }

    @Test
    void negativeDimension() {
        Path file = write(dir.resolve(IMAGES), header(0x00000803, 10, 28, -28));
        String message = fails(file, 3);
        assertContains(message, file.toString(), "dimension 3 of 3 is -28 (0xFFFFFFE4)");
    }

    @Test
    void absurdDimensions() {
        Path file = write(dir.resolve(IMAGES), header(0x00000803, 100000, 100000, 1000));
        String message = fails(file, 3);
        assertContains(message, file.toString(), "absurd dimensions 100000 x 100000 x 1000",
                "10000000000000 bytes");
    }

    @Test
    void truncatedMagicNumber() {
        Path file = write(dir.resolve(IMAGES), new byte[] {0, 0});
        String message = fails(file, 3);
        assertEquals(file + ": truncated: the file ends after 2 of the 4 bytes of the magic number", message);
    }

    @Test
    void truncatedHeader() {
        Path file = write(dir.resolve(IMAGES), cut(header(0x00000803, 10, 28, 28), 10));
        String message = fails(file, 3);
        assertEquals(file + ": truncated: the header of a 3-dimensional file takes 16 bytes but the file ends after 10",
                message);
    }

    @Test
    void truncatedData() {
        Path file = write(dir.resolve(IMAGES), cut(idx(counting(2 * 28 * 28), 2, 28, 28), 16 + 1000));
        String message = fails(file, 3);
        assertEquals(file + ": truncated: the header promises 2 x 28 x 28 = 1568 bytes of data "
                + "but the file ends after 1000 of them", message);
    }

    @Test
    void truncatedDataBehindAHugeButPossiblePromise() {
        // 2 GB promised, 10 bytes present: must fail as truncated, not by running out of memory.
        Path file = write(dir.resolve(IMAGES), concat(header(0x00000803, 2000, 1000, 1000), new byte[10]));
        String message = fails(file, 3);
        assertEquals(file + ": truncated: the header promises 2000 x 1000 x 1000 = 2000000000 bytes of data "
                + "but the file ends after 10 of them", message);
    }

    @Test
    void truncatedGzipStream() {
        byte[] compressed = gzip(idx(noise(100 * 784), 100, 28, 28));
        Path file = write(dir.resolve(IMAGES + ".gz"), cut(compressed, compressed.length / 2));
        KindlingException e = assertThrows(KindlingException.class, () -> IdxFile.read(file, 3));
        assertContains(e.getMessage(), file.toString(), "truncated: the header promises 100 x 28 x 28 = 78400 bytes",
                "but the gzip stream is cut short after");
        assertFalse(e.getMessage().contains("EOF"), e.getMessage());
    }

    @Test
    void truncatedGzipHeader() {
        Path file = write(dir.resolve(IMAGES + ".gz"), new byte[] {0x1F, (byte) 0x8B, 8, 0});
        String message = fails(file, 3);
        assertEquals(file + ": truncated: the gzip stream is cut short inside its header", message);
    }

    @Test
    void gzipStreamMissingItsChecksum() {
        byte[] compressed = gzip(idx(counting(8), 2, 2, 2));
        Path file = write(dir.resolve(IMAGES + ".gz"), cut(compressed, compressed.length - 8));
        String message = fails(file, 3);
        assertContains(message, file.toString(), "truncated", "after all 8 bytes of data (2 x 2 x 2)", "checksum");
    }

    @Test
    void corruptGzipData() {
        byte[] compressed = gzip(idx(noise(2000), 2000));
        for (int i = 100; i < 140; i++) {
            compressed[i] ^= 0x5A;
        }
        Path file = write(dir.resolve(LABELS + ".gz"), compressed);
        String message = fails(file, 1);
        assertContains(message, file.toString(), "corrupt gzip stream");
    }

    @Test
    void gzipChecksumMismatch() {
        byte[] compressed = gzip(idx(counting(8), 8));
        compressed[compressed.length - 8] ^= 0x01;
        Path file = write(dir.resolve(LABELS + ".gz"), compressed);
        String message = fails(file, 1);
        assertContains(message, file.toString(), "corrupt gzip stream: checksum mismatch in member 1");
    }

    @Test
    void trailingGarbage() {
        Path file = write(dir.resolve(LABELS), concat(idx(counting(8), 8), new byte[] {1, 2, 3}));
        String message = fails(file, 1);
        assertEquals(file + ": trailing garbage: 3 bytes after the 8 bytes of data the header promises (8)", message);
    }

    @Test
    void trailingGarbageInsideGzipStream() {
        Path file = write(dir.resolve(IMAGES + ".gz"), gzip(concat(idx(counting(8), 2, 2, 2), new byte[5])));
        String message = fails(file, 3);
        assertEquals(file + ": trailing garbage: 5 bytes after the 8 bytes of data the header promises (2 x 2 x 2)",
                message);
    }

    @Test
    void trailingGarbageAfterGzipStream() {
        byte[] junk = "<html>not found</html>".getBytes(StandardCharsets.US_ASCII);
        Path file = write(dir.resolve(IMAGES + ".gz"), concat(gzip(idx(counting(8), 2, 2, 2)), junk));
        String message = fails(file, 3);
        assertEquals(file + ": trailing garbage: " + junk.length + " bytes after the end of the gzip stream", message);
    }

    @Test
    void htmlErrorPageInsteadOfData() {
        // What a failed download often leaves behind.
        Path file = write(dir.resolve(IMAGES + ".gz"),
                "<!DOCTYPE html>".getBytes(StandardCharsets.US_ASCII));
        String message = fails(file, 3);
        assertEquals(file + ": not a gzip file (it starts with '<!DO', perhaps an HTML page saved under a .gz name)",
                message);
    }

    @Test
    void binaryNotGzipUnderAGzName() {
        Path file = write(dir.resolve(IMAGES + ".gz"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        assertEquals(file + ": not a gzip file (it starts with bytes 50 4B 03 04)", fails(file, 3));
    }

    @Test
    void htmlUnderARawNameHasABadMagicNumber() {
        Path file = write(dir.resolve(IMAGES), "<!DOCTYPE html>".getBytes(StandardCharsets.US_ASCII));
        assertEquals(file + ": bad magic number 0x3C21444F (expected 0x00000803 for an images file)", fails(file, 3));
    }

    @Test
    void rawIdxUnderAGzNameStillLoads() {
        Path file = write(dir.resolve(IMAGES + ".gz"), idx(counting(8), 2, 2, 2));
        assertEquals(8, IdxFile.read(file, 3).length());
    }

    private static String fails(Path file, int expectedRank) {
        KindlingException e = assertThrows(KindlingException.class, () -> IdxFile.read(file, expectedRank));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected \"" + part + "\" in: " + message);
        }
    }

    /** Incompressible bytes, so a cut gzip stream is cut inside its data. */
    private static byte[] noise(int length) {
        byte[] data = new byte[length];
        new Random(1).nextBytes(data);
        return data;
    }
}
