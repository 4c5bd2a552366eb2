package dev.kindling.data;

import dev.kindling.KindlingException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.zip.ZipException;

/**
 * Parses one IDX stream, raw or gzip, into an {@link IdxFile}, turning every way the bytes can
 * be wrong into one {@link KindlingException} that names the source and the offending value.
 */
final class IdxParser {
    private static final int BUFFER = 1 << 16;
    /** Data arrays up to this size are allocated at once; larger promises grow as bytes arrive. */
    private static final int EAGER_ALLOCATION = 64 << 20;

    private final String source;
    private InputStream in;
    private boolean gzip;
    private boolean cutShort;

    private IdxParser(String source) {
        this.source = source;
    }

    /** Parses {@code raw} without closing it. */
    static IdxFile parse(InputStream raw, String source, int expectedRank) {
        return run(source, parser -> parser.parse(raw, expectedRank));
    }

    /**
     * The dimensions in the header of {@code raw}, read without the data (and without closing
     * {@code raw}), with the checks {@link #parse} makes of a header; {@code gzip} tells whether
     * the stream was compressed.
     */
    static IdxFile.Header header(InputStream raw, String source, int expectedRank) {
        return run(source, parser -> new IdxFile.Header(parser.readHeader(raw, expectedRank), parser.gzip));
    }

    /** A read step of a parser over one stream. */
    private interface Step<T> {
        T apply(IdxParser parser) throws IOException;
    }

    /** Runs {@code step} on a new parser, turning read errors into messages naming {@code source}. */
    private static <T> T run(String source, Step<T> step) {
        IdxParser parser = new IdxParser(source);
        try {
            return step.apply(parser);
        } catch (ZipException e) {
            throw parser.fail(e.getMessage());
        } catch (IOException e) {
            throw new KindlingException(source + ": cannot read: " + IdxFile.reason(e), e);
        } finally {
            if (parser.in instanceof GzipInput) {
                ((GzipInput) parser.in).close();
            }
        }
    }

    private IdxFile parse(InputStream raw, int expectedRank) throws IOException {
        int[] dimensions = readHeader(raw, expectedRank);
        int length = checkDimensions(dimensions);

        byte[] data = readData(length, dimensions);
        long trailing = countTrailing();
        if (cutShort) {
            throw fail(String.format("truncated: the gzip stream is cut short after all %d bytes of data (%s), "
                    + "before its end-of-stream checksum", length, describe(dimensions)));
        }
        if (trailing > 0) {
            throw fail(String.format("trailing garbage: %d bytes after the %d bytes of data the header promises (%s)",
                    trailing, length, describe(dimensions)));
        }
        return new IdxFile(source, dimensions, data, true);
    }

    private int[] readHeader(InputStream raw, int expectedRank) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER);
        buffered.mark(2);
        byte[] sniff = new byte[2];
        int sniffed = buffered.readNBytes(sniff, 0, 2);
        buffered.reset();
        gzip = GzipInput.isGzip(sniff, sniffed);
        try {
            in = gzip ? new GzipInput(buffered) : buffered;
        } catch (EOFException e) {
            throw fail("truncated: the gzip stream is cut short inside its header");
        }

        byte[] head = new byte[4];
        int got = readFully(head, 0, 4);
        if (got == 0 && !cutShort) {
            throw fail(gzip ? "is empty (its gzip stream holds no data)" : "is empty (0 bytes)");
        }
        if (got < 4) {
            throw fail("truncated: " + ends() + " " + got + " of the 4 bytes of the magic number");
        }
        int magic = bigEndianInt(head, 0);
        if (!gzip && (magic >>> 16) != 0 && source.toLowerCase(Locale.ROOT).endsWith(".gz")) {
            // a raw IDX file under a .gz name still loads (its magic number says what it is); other bytes
            // are better described by what the name promised than by a magic number
            throw fail("not a gzip file (it starts with " + describeStart(head) + ")");
        }
        int rank = checkMagic(magic, expectedRank);

        byte[] sizes = new byte[4 * rank];
        got = readFully(sizes, 0, sizes.length);
        if (got < sizes.length) {
            throw fail(String.format("truncated: the header of a %d-dimensional file takes %d bytes but %s %d",
                    rank, 4 + sizes.length, ends(), 4 + got));
        }
        int[] dimensions = new int[rank];
        for (int i = 0; i < rank; i++) {
            dimensions[i] = bigEndianInt(sizes, 4 * i);
        }
        checkDimensions(dimensions);
        return dimensions;
    }

    /** The first bytes of a file, as text where they are printable, and what an HTML page looks like. */
    private static String describeStart(byte[] head) {
        StringBuilder text = new StringBuilder();
        StringJoiner hex = new StringJoiner(" ");
        boolean printable = true;
        for (byte b : head) {
            printable &= b >= 0x20 && b < 0x7F;
            text.append((char) b);
            hex.add(String.format("%02X", b & 0xFF));
        }
        if (!printable) {
            return "bytes " + hex;
        }
        return "'" + text + "'" + (head[0] == '<' ? ", perhaps an HTML page saved under a .gz name" : "");
    }

    private int checkMagic(int magic, int expectedRank) {
        int zeros = magic >>> 16;
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        String expected = expectedRank == IdxFile.ANY_RANK
                ? "expected 0x000008NN for an unsigned-byte file with NN dimensions"
                : String.format("expected 0x%08X for %s", IdxFile.magicNumber(expectedRank), kind(expectedRank));
        if (zeros != 0) {
            throw fail(String.format("bad magic number 0x%08X (%s)", magic, expected));
        }
        if (type != IdxFile.UNSIGNED_BYTE) {
            throw fail(String.format("unsupported data type 0x%02X in magic number 0x%08X "
                    + "(only 0x08, unsigned bytes, is supported; %s)", type, magic, expected));
        }
        if (rank == 0 || (expectedRank != IdxFile.ANY_RANK && rank != expectedRank)) {
            throw fail(String.format("bad magic number 0x%08X (%s)", magic, expected));
        }
        return rank;
    }

    private int checkDimensions(int[] dimensions) {
        for (int i = 0; i < dimensions.length; i++) {
            if (dimensions[i] <= 0) {
                String value = dimensions[i] < 0
                        ? String.format("%d (0x%08X)", dimensions[i], dimensions[i])
                        : "0";
                throw fail(String.format("bad dimensions %s: dimension %d of %d is %s (each must be at least 1)",
                        describe(dimensions), i + 1, dimensions.length, value));
            }
        }
        BigInteger total = BigInteger.ONE;
        for (int d : dimensions) {
            total = total.multiply(BigInteger.valueOf(d));
        }
        if (total.compareTo(BigInteger.valueOf(IdxFile.MAX_LENGTH)) > 0) {
            throw fail(String.format("absurd dimensions %s: they promise %s bytes of data, more than the %d "
                    + "that fit in one array", describe(dimensions), total, IdxFile.MAX_LENGTH));
        }
        return total.intValueExact();
    }

    private byte[] readData(int length, int[] dimensions) throws IOException {
        // A damaged header can promise up to 2 GiB; grow towards it only as real bytes arrive.
        byte[] data = new byte[Math.min(length, EAGER_ALLOCATION)];
        int filled = 0;
        while (true) {
            filled += readFully(data, filled, data.length - filled);
            if (filled < data.length || filled == length) {
                break;
            }
            data = Arrays.copyOf(data, (int) Math.min(length, 2L * data.length));
        }
        if (filled < length) {
            throw fail(String.format("truncated: the header promises %s = %d bytes of data but %s %d of them",
                    describe(dimensions), length, ends(), filled));
        }
        return data;
    }

    private long countTrailing() throws IOException {
        byte[] scratch = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = readFully(scratch, 0, scratch.length)) > 0) {
            total += n;
        }
        return total;
    }

    /** Reads until {@code len} bytes or the end; a gzip stream that ends early sets {@link #cutShort}. */
    private int readFully(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len && !cutShort) {
            int n;
            try {
                n = in.read(b, off + total, len - total);
            } catch (EOFException e) {
                cutShort = true;
                break;
            }
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private String ends() {
        return cutShort ? "the gzip stream is cut short after" : "the file ends after";
    }

    private KindlingException fail(String what) {
        return new KindlingException(source + ": " + what);
    }

    private static int bigEndianInt(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static String kind(int rank) {
        switch (rank) {
            case 1:
                return "a labels file";
            case 3:
                return "an images file";
            default:
                return "a " + rank + "-dimensional file";
        }
    }

    static String describe(int[] dimensions) {
        StringJoiner joined = new StringJoiner(" x ");
        for (int d : dimensions) {
            joined.add(Integer.toString(d));
        }
        return joined.toString();
    }
}
