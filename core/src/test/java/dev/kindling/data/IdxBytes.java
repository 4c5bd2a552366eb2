package dev.kindling.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** Hand-made IDX and gzip bytes, so tests do not depend on the writer they check. */
public final class IdxBytes {
    private IdxBytes() {
    }

    /** A big-endian magic number followed by the given dimensions. */
    static byte[] header(int magic, int... dimensions) {
        ByteBuffer header = ByteBuffer.allocate(4 + 4 * dimensions.length);
        header.putInt(magic);
        for (int d : dimensions) {
            header.putInt(d);
        }
        return header.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A complete unsigned-byte IDX file: header for {@code dimensions}, then {@code data}. */
    static byte[] idx(byte[] data, int... dimensions) {
        return concat(header(0x0800 | dimensions.length, dimensions), data);
    }

    /** Values 0, 1, 2, ... wrapping at 256. */
    static byte[] counting(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) i;
        }
        return data;
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] cut(byte[] data, int length) {
        return Arrays.copyOf(data, length);
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
