package dev.kindling.spark.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.kindling.data.Dataset;
import dev.kindling.spark.Allocations;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/** A shard goes through Kryo as one block, without a whole extra copy on either side. */
public class DatasetSerializerTest {
    static final int EXAMPLES = 20_000; // 15.7 MB of pixels

    @Test
    void aShardRoundTripsExactly() {
        Dataset d = Allocations.images(1_000, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Output out = new Output(bytes, 4096)) {
            new DatasetSerializer().write(new Kryo(), out, d);
        }
        Dataset back = new DatasetSerializer().read(new Kryo(),
                new Input(new ByteArrayInputStream(bytes.toByteArray()), 4096), Dataset.class);
        assertArrayEquals(d.pixels(), back.pixels());
        assertArrayEquals(d.labels(), back.labels());
        assertEquals(d.toString(), back.toString());
    }

    @Test
    void writingCopiesNoWholeShard() {
        Dataset d = Allocations.images(EXAMPLES, 1);
        OutputStream discard = OutputStream.nullOutputStream();
        write(d, discard); // loads what the first write needs
        long before = Allocations.soFar();
        write(d, discard);
        long allocated = Allocations.soFar() - before;
        long pixels = (long) d.size() * d.featureCount();
        assertTrue(allocated < pixels / 16, "writing " + pixels + " pixel bytes allocated " + allocated);
    }

    @Test
    void readingAllocatesThePixelsOnce() {
        Dataset d = Allocations.images(EXAMPLES, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        write(d, bytes);
        byte[] written = bytes.toByteArray();
        read(written); // loads what the first read needs
        long before = Allocations.soFar();
        Dataset back = read(written);
        long allocated = Allocations.soFar() - before;
        long pixels = (long) d.size() * d.featureCount();
        assertTrue(allocated < pixels + pixels / 4, "reading " + pixels + " pixel bytes allocated " + allocated);
        assertEquals(d.pixel(EXAMPLES - 1, 783), back.pixel(EXAMPLES - 1, 783));
    }

    private static void write(Dataset d, OutputStream to) {
        Output out = new Output(to, 4096);
        new DatasetSerializer().write(new Kryo(), out, d);
        out.flush();
    }

    private static Dataset read(byte[] bytes) {
        return new DatasetSerializer().read(new Kryo(), new Input(new ByteArrayInputStream(bytes), 4096),
                Dataset.class);
    }
}
