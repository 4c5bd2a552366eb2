package dev.kindling.spark.io;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.kindling.data.Dataset;

/**
 * A data shard for Kryo as one compact block: the shape, then the uint8 pixels and labels as
 * raw bytes. Writing copies the examples out a chunk at a time rather than the whole shard at
 * once; reading hands the arrays it reads to {@link Dataset#adopt}, which checks the shard
 * again as the constructor would, without copying it a second time.
 */
public final class DatasetSerializer extends Serializer<Dataset> {
    /** About how many bytes each write copies at once (at least one example). */
    private static final int CHUNK = 64 * 1024;

    @Override
    public void write(Kryo kryo, Output out, Dataset d) {
        out.writeString(d.source());
        out.writeInt(d.channels());
        out.writeInt(d.height());
        out.writeInt(d.width());
        out.writeInt(d.classes());
        int n = d.size();
        int features = d.featureCount();
        int perChunk = Math.max(1, CHUNK / Math.max(1, features));
        byte[] chunk = new byte[Math.min(n, perChunk) * features];
        out.writeInt(n * features);
        for (int from = 0; from < n; from += perChunk) {
            int to = Math.min(n, from + perChunk);
            d.copyPixels(from, to, chunk, 0);
            out.writeBytes(chunk, 0, (to - from) * features);
        }
        out.writeInt(n);
        for (int from = 0; from < n; from += chunk.length) {
            int to = Math.min(n, from + chunk.length);
            d.copyLabels(from, to, chunk, 0);
            out.writeBytes(chunk, 0, to - from);
        }
    }

    @Override
    public Dataset read(Kryo kryo, Input in, Class<Dataset> type) {
        String source = in.readString();
        int channels = in.readInt();
        int height = in.readInt();
        int width = in.readInt();
        int classes = in.readInt();
        byte[] pixels = in.readBytes(in.readInt());
        byte[] labels = in.readBytes(in.readInt());
        return Dataset.adopt(source, channels, height, width, classes, pixels, labels);
    }
}
