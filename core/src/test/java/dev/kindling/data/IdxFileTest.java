package dev.kindling.data;

import static dev.kindling.data.IdxBytes.concat;
import static dev.kindling.data.IdxBytes.counting;
import static dev.kindling.data.IdxBytes.cut;
import static dev.kindling.data.IdxBytes.gzip;
import static dev.kindling.data.IdxBytes.idx;
import static dev.kindling.data.IdxBytes.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {
    @TempDir
    Path dir;

    @Test
    void readsHandMadeImagesFile() {
        byte[] pixels = {0, 1, 2, (byte) 128, (byte) 200, (byte) 255};
        Path file = write(dir.resolve("images"), idx(pixels, 3, 1, 2));

        IdxFile read = IdxFile.read(file, 3);

        assertArrayEquals(new int[] {3, 1, 2}, read.dimensions());
        assertEquals(3, read.rank());
        assertEquals(6, read.length());
        assertEquals(255, read.get(5), "bytes are unsigned");
        assertEquals(128, read.get(3));
        assertArrayEquals(pixels, read.data());
        assertEquals(file.toString(), read.source());
    }

    @Test
    void roundTripsRaw() throws IOException {
        IdxFile original = IdxFile.images(4, 3, 5, counting(60));
        Path file = dir.resolve("images-idx3-ubyte");

        original.write(file);

        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(idx(counting(60), 4, 3, 5), bytes, "raw IDX, byte for byte");
        assertEquals(original, IdxFile.read(file, 3));
    }

    @Test
    void roundTripsGzipWhenTheNameEndsInGz() throws IOException {
        IdxFile original = IdxFile.labels(counting(1000));
        Path file = dir.resolve("labels-idx1-ubyte.gz");

        original.write(file);

        byte[] bytes = Files.readAllBytes(file);
        assertEquals(0x1F, bytes[0] & 0xFF);
        assertEquals(0x8B, bytes[1] & 0xFF);
        assertEquals(original, IdxFile.read(file, 1));
    }

    @Test
    void roundTripsOtherRanks() {
        IdxFile fourD = new IdxFile(new int[] {2, 3, 2, 2}, counting(24));
        Path file = dir.resolve("four.gz");
        fourD.write(file);
        assertEquals(fourD, IdxFile.read(file));
        assertEquals(4, IdxFile.read(file).rank());
    }

    @Test
    void detectsGzipByContentNotName() {
        byte[] raw = idx(counting(12), 3, 2, 2);
        Path gzipWithoutSuffix = write(dir.resolve("images-idx3-ubyte"), gzip(raw));
        Path rawWithGzSuffix = write(dir.resolve("images-idx3-ubyte.gz"), raw);

        assertArrayEquals(counting(12), IdxFile.read(gzipWithoutSuffix, 3).data());
        assertArrayEquals(counting(12), IdxFile.read(rawWithGzSuffix, 3).data());
    }

    @Test
    void readsConcatenatedGzipMembers() {
        byte[] raw = idx(counting(100), 100);
        Path file = write(dir.resolve("labels.gz"), concat(gzip(cut(raw, 30)), gzip(slice(raw, 30))));

        assertArrayEquals(counting(100), IdxFile.read(file, 1).data());
    }

    @Test
    void readsGzipHeaderWithOptionalFields() {
        byte[] raw = idx(counting(50), 50);
        Path file = write(dir.resolve("labels.gz"), gzipWithAllHeaderFields(raw));

        assertArrayEquals(counting(50), IdxFile.read(file, 1).data());
    }

    @Test
    void readsLargeFilesWhoseDataArrivesInManyReads() {
        // Larger than the parser's buffers, so data and gzip input are refilled many times.
        IdxFile original = IdxFile.images(300, 28, 28, counting(300 * 784));
        Path file = dir.resolve("big.gz");
        original.write(file);
        assertEquals(original, IdxFile.read(file, 3));
    }

    @Test
    void readsFromAStreamAndNamesItsSource() {
        byte[] raw = idx(counting(5), 5);
        IdxFile read = IdxFile.read(new ByteArrayInputStream(gzip(raw)), "hdfs://cluster/data/labels.gz", 1);
        assertArrayEquals(counting(5), read.data());
        assertEquals("hdfs://cluster/data/labels.gz", read.source());

        KindlingException e = assertThrows(KindlingException.class,
                () -> IdxFile.read(new ByteArrayInputStream(raw), "hdfs://cluster/data/labels.gz", 3));
        assertTrue(e.getMessage().startsWith("hdfs://cluster/data/labels.gz: "), e.getMessage());
    }

    @Test
    void writesRawBytesToAStream() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IdxFile.labels(new byte[] {7, 8}).write(out);
        assertArrayEquals(idx(new byte[] {7, 8}, 2), out.toByteArray());
    }

    @Test
    void writeReplacesTheFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("labels-idx1-ubyte.gz");
        IdxFile.labels(counting(10)).write(file);
        IdxFile.labels(counting(20)).write(file);

        assertEquals(20, IdxFile.read(file, 1).length());
        assertEquals(List.of("labels-idx1-ubyte.gz"), listNames(dir));
    }

    @Test
    void writeIntoAMissingDirectoryFailsAndCreatesNothing() {
        Path file = dir.resolve("no-such-dir").resolve("labels");
        KindlingException e = assertThrows(KindlingException.class, () -> IdxFile.labels(counting(3)).write(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(listNames(dir).isEmpty());
    }

    @Test
    void constructorRejectsDataThatDoesNotMatchTheDimensions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IdxFile(new int[] {2, 3}, new byte[5]));
        assertTrue(e.getMessage().contains("2 x 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IdxFile(new int[] {0}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new IdxFile(new int[0], new byte[1]));
    }

    @Test
    void isImmutable() {
        byte[] data = counting(4);
        int[] dims = {4};
        IdxFile file = new IdxFile(dims, data);
        data[0] = 99;
        dims[0] = 1;
        file.data()[1] = 99;
        file.dimensions()[0] = 1;
        assertArrayEquals(counting(4), file.data());
        assertArrayEquals(new int[] {4}, file.dimensions());
    }

    private static byte[] slice(byte[] data, int from) {
        return Arrays.copyOfRange(data, from, data.length);
    }

    private static List<String> listNames(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A gzip member with FEXTRA, FNAME, FCOMMENT and FHCRC set, as some tools write them. */
    private static byte[] gzipWithAllHeaderFields(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1F, (byte) 0x8B, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3});
        out.writeBytes(new byte[] {3, 0, 'a', 'b', 'c'});
        out.writeBytes("labels-idx1-ubyte\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {0x12, 0x34});
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(data);
        deflater.finish();
        byte[] buffer = new byte[data.length + 64];
        int n = deflater.deflate(buffer);
        deflater.end();
        out.write(buffer, 0, n);
        CRC32 crc = new CRC32();
        crc.update(data);
        ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc.getValue()).putInt(data.length);
        out.writeBytes(trailer.array());
        return out.toByteArray();
    }
}
