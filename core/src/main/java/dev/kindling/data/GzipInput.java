package dev.kindling.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses a gzip stream (RFC 1952) of one or more members.
 *
 * <p>The JDK's {@code GZIPInputStream} silently ignores bytes after the last member, so a
 * damaged or concatenated-with-junk download would load without complaint. This decoder
 * rejects them, and reports damage in a form {@link IdxParser} can turn into one message:
 * {@link EOFException} when the stream is cut short, {@link ZipException} (whose message is a
 * complete phrase) when it is corrupt or followed by garbage.
 *
 * <p>{@link #close()} releases the inflater only; the underlying stream belongs to the caller.
 */
final class GzipInput extends InputStream {
    private static final int ID1 = 0x1F;
    private static final int ID2 = 0x8B;
    private static final int DEFLATE = 8;
    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;
    private static final int RESERVED_FLAGS = 0xE0;

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private int member = 1;
    private boolean done;

    /** Reads the first member's header, so a stream that is not gzip fails here. */
    GzipInput(InputStream in) throws IOException {
        this.in = in;
        try {
            if (readByte() != ID1 || readByte() != ID2) {
                throw new ZipException("corrupt gzip stream: it does not start with the gzip magic bytes 1F 8B");
            }
            readHeaderAfterMagic();
        } catch (IOException | RuntimeException e) {
            inflater.end();
            throw e;
        }
    }

    /** True when the stream starts with the gzip magic bytes; {@code head} holds its first bytes. */
    static boolean isGzip(byte[] head, int length) {
        return length >= 2 && (head[0] & 0xFF) == ID1 && (head[1] & 0xFF) == ID2;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (!done) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("corrupt gzip stream: " + e.getMessage() + " in member " + member);
            }
            if (n > 0) {
                crc.update(b, off, n);
                return n;
            }
            if (inflater.finished()) {
                pos = limit - inflater.getRemaining();
                readTrailerAndNextHeader();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("corrupt gzip stream: member " + member + " asks for a preset dictionary");
            } else if (inflater.needsInput()) {
                pos = limit;
                if (!fill()) {
                    throw new EOFException("gzip stream cut short inside member " + member);
                }
                inflater.setInput(buf, pos, limit - pos);
            }
        }
        return -1;
    }

    @Override
    public void close() {
        inflater.end();
    }

    private void readTrailerAndNextHeader() throws IOException {
        long storedCrc = readLittleEndianInt("trailer");
        long storedSize = readLittleEndianInt("trailer");
        if (storedCrc != crc.getValue()) {
            throw new ZipException(String.format(
                    "corrupt gzip stream: checksum mismatch in member %d (stored CRC32 0x%08X, data has 0x%08X)",
                    member, storedCrc, crc.getValue()));
        }
        if (storedSize != (inflater.getBytesWritten() & 0xFFFFFFFFL)) {
            throw new ZipException(String.format(
                    "corrupt gzip stream: member %d stores size %d but holds %d bytes",
                    member, storedSize, inflater.getBytesWritten()));
        }
        int first = readByte();
        if (first < 0) {
            done = true;
            return;
        }
        int second = readByte();
        if (first != ID1 || second != ID2) {
            long extra = (second < 0 ? 1 : 2) + (limit - pos) + in.transferTo(OutputStream.nullOutputStream());
            pos = limit;
            throw new ZipException("trailing garbage: " + extra + " bytes after the end of the gzip stream");
        }
        member++;
        inflater.reset();
        crc.reset();
        readHeaderAfterMagic();
    }

    private void readHeaderAfterMagic() throws IOException {
        int method = requireByte();
        if (method != DEFLATE) {
            throw new ZipException("corrupt gzip stream: unsupported compression method " + method
                    + " in member " + member + " (expected 8, deflate)");
        }
        int flags = requireByte();
        if ((flags & RESERVED_FLAGS) != 0) {
            throw new ZipException(String.format(
                    "corrupt gzip stream: reserved header flags set (0x%02X) in member %d", flags, member));
        }
        skip(6); // modification time, extra flags, operating system
        if ((flags & FEXTRA) != 0) {
            int extraLength = requireByte() | requireByte() << 8;
            skip(extraLength);
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FHCRC) != 0) {
            skip(2);
        }
        inflater.setInput(buf, pos, limit - pos);
    }

    private long readLittleEndianInt(String where) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int b = readByte();
            if (b < 0) {
                throw new EOFException("gzip stream cut short in the " + where + " of member " + member);
            }
            value |= (long) b << shift;
        }
        return value;
    }

    private void skipZeroTerminated() throws IOException {
        while (requireByte() != 0) {
            // the file name and comment fields are informational; only their end matters
        }
    }

    private void skip(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            requireByte();
        }
    }

    private int requireByte() throws IOException {
        int b = readByte();
        if (b < 0) {
            throw new EOFException("gzip stream cut short in the header of member " + member);
        }
        return b;
    }

    private int readByte() throws IOException {
        if (!fill()) {
            return -1;
        }
        return buf[pos++] & 0xFF;
    }

    private boolean fill() throws IOException {
        if (pos < limit) {
            return true;
        }
        int n = in.read(buf, 0, buf.length);
        pos = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }
}
