package dev.kindling.spark.io;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float blocks as raw little-endian bytes for Kryo: a length, then 4 bytes per float copied
 * through a 64 KiB buffer with a bulk {@link java.nio.FloatBuffer} put, instead of Kryo's
 * one-call-per-float array serializer. A null array is written as length -1.
 */
public final class RawFloats {
    private static final int CHUNK_FLOATS = 16 * 1024;
    private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(
            () -> ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN));

    private RawFloats() {
    }

    public static void write(Output out, float[] a) {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        ByteBuffer buf = BUFFER.get();
        byte[] bytes = buf.array();
        for (int from = 0; from < a.length; from += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, a.length - from);
            buf.clear();
            buf.asFloatBuffer().put(a, from, n);
            out.writeBytes(bytes, 0, 4 * n);
        }
    }

    public static float[] read(Input in) {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        float[] a = new float[length];
        ByteBuffer buf = BUFFER.get();
        byte[] bytes = buf.array();
        for (int from = 0; from < length; from += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, length - from);
            in.readBytes(bytes, 0, 4 * n);
            buf.clear();
            buf.asFloatBuffer().get(a, from, n);
        }
        return a;
    }
}
