package dev.kindling.spark.exchange;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One message between two tasks: a fixed little-endian header, the sender's extras (reduce-scatter,
 * first message only), then {@code count} floats as raw little-endian bytes. No Java serialization:
 * the receiver copies the floats straight out of Netty's buffer.
 *
 * <pre>
 * int magic | long stage | long round | int phase | int sender | int length | int total
 * | int offset | int count | int flag | int extras | extras doubles | count floats
 * </pre>
 * {@code length} is the vector's length at the sender (tasks must agree), {@code total} the floats
 * this sender sends this receiver in the phase, {@code offset} where this message's floats start
 * among them.
 */
final class Message {
    /** "KDX" and the layout's version. */
    static final int MAGIC = 0x4B445801;
    static final int REDUCE = 0;
    static final int GATHER = 1;
    static final int HEADER_BYTES = 4 + 8 + 8 + 8 * 4;

    final long stage;
    final long round;
    final int phase;
    final int sender;
    final int length;
    final int total;
    final int offset;
    final int count;
    final int flag;
    final double[] extras;

    private Message(long stage, long round, int phase, int sender, int length, int total, int offset, int count, int flag,
                    double[] extras) {
        this.stage = stage;
        this.round = round;
        this.phase = phase;
        this.sender = sender;
        this.length = length;
        this.total = total;
        this.offset = offset;
        this.count = count;
        this.flag = flag;
        this.extras = extras;
    }

    /** Bytes of a message with {@code extras} doubles and {@code floats} floats. */
    static int bytes(int extras, int floats) {
        return HEADER_BYTES + 8 * extras + 4 * floats;
    }

    /**
     * Writes a message into {@code b} (cleared first) with the floats {@code src[from, from + count)},
     * and flips it for sending.
     */
    static void write(ByteBuffer b, long stage, long round, int phase, int sender, int length, int total, int offset,
                      int flag, double[] extras, float[] src, int from, int count) {
        b.clear().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putLong(stage).putLong(round).putInt(phase).putInt(sender).putInt(length).putInt(total)
                .putInt(offset).putInt(count).putInt(flag).putInt(extras.length);
        for (double x : extras) {
            b.putDouble(x);
        }
        b.asFloatBuffer().put(src, from, count);
        b.position(b.position() + 4 * count);
        b.flip();
    }

    /**
     * Reads the header of {@code b} (little-endian) and leaves it at the first float; throws
     * IllegalArgumentException when it is not a message of this layout.
     */
    static Message read(ByteBuffer b) {
        if (b.remaining() < HEADER_BYTES || b.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a collective message (wrong magic or too short)");
        }
        long stage = b.getLong();
        long round = b.getLong();
        int phase = b.getInt();
        int sender = b.getInt();
        int length = b.getInt();
        int total = b.getInt();
        int offset = b.getInt();
        int count = b.getInt();
        int flag = b.getInt();
        int extraCount = b.getInt();
        if (phase != REDUCE && phase != GATHER || length < 0 || total < 0 || total > length || offset < 0 || count < 0
                || (long) offset + count > total || extraCount < 0 || b.remaining() != 8L * extraCount + 4L * count) {
            throw new IllegalArgumentException("malformed collective message (phase " + phase + ", offset " + offset
                    + ", count " + count + " of " + total + ", " + b.remaining() + " bytes after the header)");
        }
        double[] extras = new double[extraCount];
        for (int i = 0; i < extraCount; i++) {
            extras[i] = b.getDouble();
        }
        return new Message(stage, round, phase, sender, length, total, offset, count, flag, extras);
    }

    /** Copies this message's floats (at {@code b}'s position) into {@code dst[at, at + count)}. */
    void copyFloats(ByteBuffer b, float[] dst, int at) {
        b.asFloatBuffer().get(dst, at, count);
    }

    /** A stable 64-bit id of the stage attempt's name (FNV-1a over its UTF-8 bytes). */
    static long stageId(String stage) {
        long h = 0xcbf29ce484222325L;
        for (byte c : stage.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (c & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    static String phaseName(int phase) {
        return phase == REDUCE ? "reduce-scatter" : "all-gather";
    }
}
