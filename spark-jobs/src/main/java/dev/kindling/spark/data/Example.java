package dev.kindling.spark.data;

import dev.kindling.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * One example on an executor, on its way from a source's decoder into the shards: its index in
 * the data set's fixed order, its label, its pixels (one plane per channel) and, where examples
 * are files of their own (image folders), the file. Sent through shuffles with Kryo's field
 * serializer (registered in the registrator), so a plain class, not a record.
 */
public final class Example {
    public int index;
    public int label;
    public byte[] pixels;
    /** The example's file, or null where the source's examples are rows of larger files. */
    public String file;

    public Example() {
    }

    public Example(int index, int label, byte[] pixels, String file) {
        this.index = index;
        this.label = label;
        this.pixels = pixels;
        this.file = file;
    }

    /** The examples of {@code d}, each a copy, numbered from {@code first}. */
    static List<Example> all(Dataset d, int first) {
        int features = d.featureCount();
        List<Example> out = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) {
            byte[] pixels = new byte[features];
            d.copyPixels(i, i + 1, pixels, 0);
            out.add(new Example(first + i, d.label(i), pixels, null));
        }
        return out;
    }
}
