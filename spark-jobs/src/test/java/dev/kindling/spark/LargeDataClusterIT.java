package dev.kindling.spark;

import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.io.ModelFile;
import dev.kindling.spark.train.TrainCliTest;

import static dev.kindling.spark.TestCluster.RUNNING;
import static dev.kindling.spark.TestCluster.SCRIPT;
import static dev.kindling.spark.TestCluster.destroyTree;
import static dev.kindling.spark.TestCluster.freePort;
import static dev.kindling.spark.TestCluster.run;
import static dev.kindling.spark.TestCluster.stop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training set larger than the driver's whole heap, end to end on a standalone cluster: 706 MB
 * of Parquet (Fashion-MNIST's training images 15 times over, every copy with its own pixel
 * noise) trained by a driver JVM of 512 MB. It can only pass if the executors decode the files
 * and keep the examples, and the driver holds the model, the optimizer and a round's sums.
 */
public class LargeDataClusterIT {
    /** 15 x 60,000 = 900,000 rows of 784 pixels: 706 MB, well beyond the driver's heap. */
    static final int COPIES = 15;
    /** Several files, so that Spark reads them in parallel. */
    static final int FILES = 8;
    static final int DRIVER_HEAP_MIB = 512;
    /**
     * These settings reach a test accuracy of 0.864 in their one epoch; the floor leaves room for
     * the example order of another way of reading the files and another machine's rounding. That
     * every example was trained on is checked by count.
     */
    static final double ACCURACY_FLOOR = 0.80;
    static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
            "message fashion { required int32 label; required binary image; }");

    @TempDir
    Path tmp;

    @Test
    void trainsOnParquetLargerThanTheDriversHeap() throws Exception {
        Path data = tmp.resolve("data");
        long bytes = writeData(data);
        assertTrue(bytes > (long) DRIVER_HEAP_MIB << 20,
                "the training files hold " + bytes + " bytes, no more than the driver's heap");

        Path dir = tmp.resolve("cluster");
        Path out = tmp.resolve("run");
        Path gcLog = tmp.resolve("driver-gc.log");
        Thread teardown = new Thread(() -> {
            RUNNING.forEach(p -> destroyTree(p.toHandle()));
            stop(dir);
        }, "stop-test-cluster");
        Runtime.getRuntime().addShutdownHook(teardown);
        try {
            // the workers' memory is each executor's heap (scripts/cluster submit --executor-memory)
            TestCluster.Run start = run(tmp.resolve("start.log"), 150, SCRIPT.toString(), "start", "--dir",
                    dir.toString(), "--no-build", "--master-port", Integer.toString(freePort()),
                    "--master-ui-port", "0", "--worker-ui-port", "0", "--worker-memory", "2g", "--timeout", "120");
            assertEquals(0, start.code(), start.output());

            // The submitted driver runs in the JVM scripts/cluster starts with these options (client
            // mode: spark.driver.memory would come too late to size it). The JVM's own log says what
            // heap it got. An OutOfMemoryError ends it at once: a Spark thread killed by one can
            // leave the job waiting for a result that never comes.
            Map<String, String> driver = Map.of("KINDLING_JAVA_OPTS", "-Xmx" + DRIVER_HEAP_MIB + "m"
                    + " -XX:+ExitOnOutOfMemoryError -Xlog:gc+init:file=" + gcLog);
            TestCluster.Run train = run(tmp.resolve("submit.log"), 300, driver, SCRIPT.toString(), "submit",
                    "--dir", dir.toString(), "--no-build", "--conf", "spark.ui.enabled=false",
                    "train", "--data", data.toString(), "--out", out.toString(), "--arch", "784-64-10",
                    "--epochs", "1", "--mode", "local", "--batch", "500", "--local-steps", "30",
                    "--partitions", "4");
            String heap = Files.exists(gcLog) ? Files.readString(gcLog) : "no " + gcLog;
            assertTrue(heap.contains("Heap Max Capacity: " + DRIVER_HEAP_MIB + "M"),
                    heap + "\n" + tail(train.output()));
            assertEquals(0, train.code(), tail(train.output()));

            List<JsonNode> rounds = TrainCliTest.lines(out.resolve("metrics.jsonl"), "round");
            assertEquals(COPIES * 60_000L, rounds.stream().mapToLong(r -> r.get("examples").asLong()).sum(),
                    "every training example once");
            List<JsonNode> epochs = TrainCliTest.lines(out.resolve("metrics.jsonl"), "epoch");
            assertEquals(1, epochs.size());
            double accuracy = epochs.get(0).get("test_accuracy").asDouble();
            assertTrue(accuracy >= ACCURACY_FLOOR, "test accuracy " + accuracy + " in " + epochs.get(0));
            // the run's own lines, for BENCHMARKS.md's figure of the largest data set on a 512 MB driver
            train.output().lines().filter(l -> l.startsWith("kindling:")).forEach(System.out::println);
            System.out.println("LargeDataClusterIT: epoch " + epochs.get(0));
            assertEquals(784 * 64 + 64 + 64 * 10 + 10, ModelFile.read(out.resolve("model")).parameters().length);
        } finally {
            stop(dir);
            Runtime.getRuntime().removeShutdownHook(teardown);
        }
    }

    /**
     * Writes {@code dir/train}: {@link #COPIES} copies of Fashion-MNIST's training set in
     * {@link #FILES} files, every pixel moved by its own noise (-8 to 7, clamped), so that no two
     * rows are alike; and {@code dir/test}: the test set as it is. One image is held at a time
     * (and a row group per file, by the writer). Returns the training files' size in bytes.
     */
    static long writeData(Path dir) throws IOException {
        IdxDirectory idx = IdxDirectory.open(TestSpark.fashionMnist());
        Dataset train = idx.loadTrain();
        Dataset test = idx.loadTest();
        SplittableRandom random = new SplittableRandom(3);
        long rows = (long) COPIES * train.size();
        long bytes = 0;
        for (int f = 0; f < FILES; f++) {
            Path file = dir.resolve("train").resolve(String.format("part-%05d.parquet", f));
            bytes += write(file, train, rows * f / FILES, rows * (f + 1) / FILES, random);
        }
        write(dir.resolve("test").resolve("part-00000.parquet"), test, 0, test.size(), null);
        return bytes;
    }

    /**
     * Rows {@code [from, to)} of {@code d} repeated (row r is example r mod its size), with noise
     * where {@code random} is given.
     */
    static long write(Path file, Dataset d, long from, long to, SplittableRandom random) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] pixels = d.pixels();
        int features = d.featureCount();
        byte[] image = new byte[features];
        SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
        // pixels do not compress, and a dictionary of unique images only costs time
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalFile(file)).withType(SCHEMA)
                .withCompressionCodec(CompressionCodecName.UNCOMPRESSED).withDictionaryEncoding(false).build()) {
            for (long r = from; r < to; r++) {
                int i = (int) (r % d.size());
                System.arraycopy(pixels, i * features, image, 0, features);
                if (random != null) {
                    noise(image, random);
                }
                // reused: the writer copies what it keeps
                writer.write(rows.newGroup().append("label", d.label(i))
                        .append("image", Binary.fromReusedByteArray(image)));
            }
        }
        return Files.size(file);
    }

    static void noise(byte[] image, SplittableRandom random) {
        long bits = 0;
        for (int k = 0; k < image.length; k++) {
            if (k % 16 == 0) {
                bits = random.nextLong();
            }
            int v = (image[k] & 0xff) + (int) (bits & 15) - 8;
            bits >>>= 4;
            image[k] = (byte) Math.max(0, Math.min(255, v));
        }
    }

    /** The end of a run's output, where its error is. */
    static String tail(String output) {
        return output.length() <= 6000 ? output : "..." + output.substring(output.length() - 6000);
    }

    /** A local file for Parquet's writer, without the checksum file Hadoop's local file system adds. */
    record LocalFile(Path path) implements OutputFile {
        @Override
        public PositionOutputStream create(long blockSizeHint) throws IOException {
            OutputStream file = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20);
            return new PositionOutputStream() {
                private long position;

                @Override
                public long getPos() {
                    return position;
                }

                @Override
                public void write(int b) throws IOException {
                    file.write(b);
                    position++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    file.write(b, off, len);
                    position += len;
                }

                @Override
                public void flush() throws IOException {
                    file.flush();
                }

                @Override
                public void close() throws IOException {
                    file.close();
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }
    }
}
