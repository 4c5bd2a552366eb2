package dev.kindling.spark.io;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.kindling.data.Dataset;

/**
 * A data shard for Kryo as one compact block: the shape, then the uint8 pixels and labels as
 * raw bytes. Reading goes through the public constructor, so a shard is validated again.
 */
public final class DatasetSerializer extends Serializer<Dataset> {
    @Override
    public void write(Kryo kryo, Output out, Dataset d) {
        out.writeString(d.source());
        out.writeInt(d.channels());
        out.writeInt(d.height());
        out.writeInt(d.width());
        out.writeInt(d.classes());
        byte[] pixels = d.pixels();
        byte[] labels = d.labels();
        out.writeInt(pixels.length);
        out.writeBytes(pixels);
        out.writeInt(labels.length);
        out.writeBytes(labels);
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
        return new Dataset(source, channels, height, width, classes, pixels, labels);
    }
}
