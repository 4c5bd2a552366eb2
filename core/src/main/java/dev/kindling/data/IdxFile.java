package dev.kindling.data;

import dev.kindling.KindlingException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;

/**
 * The contents of one IDX file of unsigned bytes, the format of MNIST and Fashion-MNIST: a
 * big-endian magic number {@code 0x000008NN} (0x08 = unsigned byte, NN = number of
 * dimensions), NN big-endian 32-bit sizes, then the bytes in row-major order. Images files are
 * 3-dimensional (count × height × width, magic {@code 0x00000803}), labels files
 * 1-dimensional ({@code 0x00000801}).
 *
 * <p>Readers accept raw or gzip files, told apart by their first bytes rather than their name,
 * and reject anything malformed with a {@link KindlingException} naming the file and the bad
 * value. The parsing works on any {@link InputStream}, so files on other filesystems only need
 * their own way of opening a stream. Instances are immutable.
 */
public final class IdxFile {
    /** The data type byte of unsigned bytes, the only type this reader supports. */
    public static final int UNSIGNED_BYTE = 0x08;
    /** Passed as an expected rank, accepts any number of dimensions. */
    public static final int ANY_RANK = 0;
    /** The most data bytes one file may hold: the largest array the JVM allocates. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private static final int BUFFER = 1 << 16;
    private static final String IN_MEMORY = "(in memory)";

    private final String source;
    private final int[] dimensions;
    private final byte[] data;

    /**
     * An IDX file built in memory, e.g. to be written. Copies both arrays.
     *
     * @throws IllegalArgumentException if a dimension is below 1 or {@code data} does not hold
     *                                  exactly their product of bytes
     */
    public IdxFile(int[] dimensions, byte[] data) {
        this(IN_MEMORY, dimensions.clone(), data.clone(), false);
    }

    /** Takes the arrays without copying when {@code trusted}: the parser hands over fresh ones. */
    IdxFile(String source, int[] dimensions, byte[] data, boolean trusted) {
        if (!trusted) {
            if (dimensions.length < 1 || dimensions.length > 255) {
                throw new IllegalArgumentException("an IDX file has 1 to 255 dimensions, not " + dimensions.length);
            }
            long product = 1;
            for (int d : dimensions) {
                if (d < 1) {
                    throw new IllegalArgumentException(
                            "IDX dimensions must be at least 1: " + IdxParser.describe(dimensions));
                }
                product = Math.min(product * d, (long) MAX_LENGTH + 1);
            }
            if (product != data.length) {
                throw new IllegalArgumentException(String.format(
                        "IDX dimensions %s need %d bytes of data, not %d",
                        IdxParser.describe(dimensions), product, data.length));
            }
        }
        this.source = source;
        this.dimensions = dimensions;
        this.data = data;
    }

    /** A 3-dimensional images file: {@code count} images of height × width pixels. */
    public static IdxFile images(int count, int height, int width, byte[] pixels) {
        return new IdxFile(new int[] {count, height, width}, pixels);
    }

    /** A 1-dimensional labels file. */
    public static IdxFile labels(byte[] labels) {
        return new IdxFile(new int[] {labels.length}, labels);
    }

    /** The magic number of an unsigned-byte file with {@code rank} dimensions. */
    public static int magicNumber(int rank) {
        return UNSIGNED_BYTE << 8 | rank;
    }

    /** Reads a file with any number of dimensions. */
    public static IdxFile read(Path file) {
        return read(file, ANY_RANK);
    }

    /**
     * Reads a file, raw or gzip.
     *
     * @param expectedRank 3 for images, 1 for labels, or {@link #ANY_RANK}
     * @throws KindlingException if the file is missing, unreadable or malformed
     */
    public static IdxFile read(Path file, int expectedRank) {
        if (Files.isDirectory(file)) {
            throw new KindlingException(file + ": is a directory, not an IDX file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return IdxParser.parse(in, file.toString(), expectedRank);
        } catch (NoSuchFileException e) {
            throw new KindlingException(file + ": file not found", e);
        } catch (AccessDeniedException e) {
            throw new KindlingException(file + ": permission denied", e);
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot read: " + reason(e), e);
        }
    }

    /**
     * The header of an IDX stream alone, checked as {@link #read} checks it: the dimensions, and
     * whether the stream is gzip. For readers that take a range of records from a raw file
     * (whose records sit at fixed offsets after the header) instead of the whole file.
     */
    public static Header header(InputStream in, String source, int expectedRank) {
        return IdxParser.header(in, source, expectedRank);
    }

    /** An IDX header: its dimensions (count first) and whether the file is gzip. */
    public record Header(int[] dimensions, boolean gzip) {
        /** Bytes before the first record: the magic number and one int per dimension. */
        public long dataOffset() {
            return 4L + 4L * dimensions.length;
        }

        /** Bytes per record: the product of the dimensions after the count. */
        public int recordBytes() {
            int r = 1;
            for (int i = 1; i < dimensions.length; i++) {
                r *= dimensions[i];
            }
            return r;
        }

        public int count() {
            return dimensions[0];
        }
    }

    /** Reads a stream with any number of dimensions; see {@link #read(InputStream, String, int)}. */
    public static IdxFile read(InputStream in, String source) {
        return read(in, source, ANY_RANK);
    }

    /**
     * Reads one IDX file, raw or gzip, from {@code in} to its end, leaving it open.
     *
     * @param source       how error messages name the stream (a path or URI)
     * @param expectedRank 3 for images, 1 for labels, or {@link #ANY_RANK}
     * @throws KindlingException if the stream cannot be read or is malformed
     */
    public static IdxFile read(InputStream in, String source, int expectedRank) {
        if (expectedRank < 0 || expectedRank > 255) {
            throw new IllegalArgumentException("expected rank must be 1 to 255 or ANY_RANK, not " + expectedRank);
        }
        return IdxParser.parse(in, source, expectedRank);
    }

    /**
     * Writes this file, gzip-compressed when the name ends in ".gz". The bytes go to a
     * temporary file in the same directory that is renamed over {@code file} only once complete,
     * so readers never see a half-written file.
     *
     * @throws KindlingException if the file cannot be written
     */
    public void write(Path file) {
        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        String name = target.getFileName().toString();
        if (!Files.isDirectory(directory)) {
            throw new KindlingException(file + ": cannot write: directory " + directory + " does not exist");
        }
        boolean gzip = name.toLowerCase(Locale.ROOT).endsWith(".gz");
        Path temp = directory.resolve("." + name + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = open(channel, gzip)) {
                write(out);
                if (out instanceof GZIPOutputStream) {
                    ((GZIPOutputStream) out).finish();
                }
                out.flush();
                // Durable before it becomes visible: a crash must not leave an empty file behind the name.
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new KindlingException(file + ": cannot write: " + reason(e), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    /** Writes the raw (uncompressed) IDX bytes to {@code out}, leaving it open. */
    public void write(OutputStream out) throws IOException {
        byte[] header = new byte[4 + 4 * dimensions.length];
        putBigEndianInt(header, 0, magicNumber(dimensions.length));
        for (int i = 0; i < dimensions.length; i++) {
            putBigEndianInt(header, 4 + 4 * i, dimensions[i]);
        }
        out.write(header);
        out.write(data);
    }

    /** Where this file was read from: the path or source name it was read with. */
    public String source() {
        return source;
    }

    /** The number of dimensions. */
    public int rank() {
        return dimensions.length;
    }

    /** The size of every dimension, outermost first (a copy). */
    public int[] dimensions() {
        return dimensions.clone();
    }

    /** The size of dimension {@code i} (0 = outermost, the number of items). */
    public int dimension(int i) {
        return dimensions[i];
    }

    /** The number of data bytes. */
    public int length() {
        return data.length;
    }

    /** Byte {@code index} of the data as an unsigned value, 0 to 255. */
    public int get(int index) {
        return data[index] & 0xFF;
    }

    /** The data bytes, row-major (a copy). */
    public byte[] data() {
        return data.clone();
    }

    /** The data without copying, for {@link Dataset}, which never writes to it. */
    byte[] sharedData() {
        return data;
    }

    /** Equal when dimensions and data are, wherever each was read from. */
    @Override
    public boolean equals(Object o) {
        return o instanceof IdxFile
                && Arrays.equals(dimensions, ((IdxFile) o).dimensions)
                && Arrays.equals(data, ((IdxFile) o).data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dimensions) + Arrays.hashCode(data);
    }
    @Override
    public String toString() {
        return "IdxFile[" + IdxParser.describe(dimensions) + " from " + source + "]";
    }

    private static OutputStream open(FileChannel channel, boolean gzip) throws IOException {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
        return gzip ? new GZIPOutputStream(out, BUFFER) : out;
    }

    private static void putBigEndianInt(byte[] b, int off, int value) {
        b[off] = (byte) (value >>> 24);
        b[off + 1] = (byte) (value >>> 16);
        b[off + 2] = (byte) (value >>> 8);
        b[off + 3] = (byte) value;
    }

    /** The cause in words; a FileSystemException's message repeats the path the caller already names. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // the write already failed; that error is the one worth reporting
        }
    }

}
