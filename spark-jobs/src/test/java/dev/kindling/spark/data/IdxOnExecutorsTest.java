package dev.kindling.spark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.data.IdxFile;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.spark.Cli;
import dev.kindling.spark.TestSpark;
import dev.kindling.spark.train.TrainingShards;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raw IDX files are read by range on the executors, and train exactly as the same data read on the driver. */
class IdxOnExecutorsTest {
    @TempDir
    Path tmp;

    /** The first {@code n} training and {@code m} test examples of Fashion-MNIST, raw or gzip. */
    private static Path write(Path dir, int n, int m, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        String ext = gzip ? ".gz" : "";
        Dataset train = TestSpark.train(n);
        Dataset test = TestSpark.test(m);
        IdxFile.images(n, 28, 28, train.pixels()).write(dir.resolve(IdxDirectory.TRAIN_IMAGES + ext));
        IdxFile.labels(train.labels()).write(dir.resolve(IdxDirectory.TRAIN_LABELS + ext));
        IdxFile.images(m, 28, 28, test.pixels()).write(dir.resolve(IdxDirectory.TEST_IMAGES + ext));
        IdxFile.labels(test.labels()).write(dir.resolve(IdxDirectory.TEST_LABELS + ext));
        return dir;
    }

    @Test
    void rawFilesAreShardedOnTheExecutorsAndTrainAsTheDriversCopyDoes() throws IOException {
        Path raw = write(tmp.resolve("raw"), 1200, 300, false);
        Path gz = write(tmp.resolve("gz"), 1200, 300, true);
        HadoopIdxDirectory idx = HadoopIdxDirectory.open(FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(raw.toUri()), DataOptions.none());
        assertTrue(idx.train(TestSpark.session()).ranged() && idx.test(TestSpark.session()).ranged(),
                "raw files are read by range");
        TrainingShards shards = TrainingShards.of(TestSpark.context(), TestSpark.session(), idx,
                NetworkSpec.mlp("784-10", "he", 0), 10, 3, 1000);
        try {
            assertEquals(1000, shards.train().examples(), "--limit");
            assertEquals(300, shards.test().examples());
            assertArrayEquals(new int[] {333, 333, 334}, shards.train().sizes());
        } finally {
            shards.release();
        }
        HadoopIdxDirectory zipped = HadoopIdxDirectory.open(FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(gz.toUri()), DataOptions.none());
        assertFalse(zipped.train(TestSpark.session()).ranged(), "a gzip stream is read whole");

        TestSpark.stop(); // the launcher starts its own Spark
        String[] common = {"--master", "local[2]", "--partitions", "3", "--arch", "784-20-10", "--epochs", "2",
                "--batch", "50", "--seed", "3"};
        float[][] params = new float[2][];
        Path[] dirs = {raw, gz};
        for (int i = 0; i < 2; i++) {
            Path out = tmp.resolve("run" + i);
            String[] args = concat(new String[] {"train", "--data", dirs[i].toString(), "--out", out.toString()},
                    common);
            Cli.Result r = Cli.run(args);
            assertEquals(0, r.code(), r.err());
            params[i] = ModelFile.load(out.resolve("model"), Backends.create("java")).parameters();
        }
        assertArrayEquals(params[1], params[0], "the same shards, sampled and summed in the same order");
    }

    @Test
    void aLabelBeyondTheNetworksOutputsIsRefusedOnTheExecutorNamingFileIndexAndValue() throws IOException {
        Path raw = write(tmp.resolve("raw"), 600, 100, false);
        Path labels = raw.resolve(IdxDirectory.TRAIN_LABELS);
        try (RandomAccessFile f = new RandomAccessFile(labels.toFile(), "rw")) {
            f.seek(8 + 517); // in the last of 3 shards
            f.write(12);
        }
        TestSpark.stop();
        Cli.Result r = Cli.run("train", "--data", raw.toString(), "--out", tmp.resolve("out").toString(),
                "--master", "local[2]", "--partitions", "3", "--epochs", "1");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(labels.getFileName().toString()) && r.err().contains("label 12 at index 517")
                && r.err().contains("10 classes"), r.err());
        assertFalse(Files.exists(tmp.resolve("out/model")));
    }

    @Test
    void aRawFileCutShortOrWithBytesAfterItsRecordsIsRefusedBeforeAnyTaskRuns() throws IOException {
        Path raw = write(tmp.resolve("raw"), 100, 10, false);
        Path images = raw.resolve(IdxDirectory.TRAIN_IMAGES);
        FileSystem fs = FileSystem.getLocal(new Configuration());
        try (RandomAccessFile f = new RandomAccessFile(images.toFile(), "rw")) {
            f.setLength(f.length() - 5);
        }
        HadoopIdxDirectory idx = HadoopIdxDirectory.open(fs, new org.apache.hadoop.fs.Path(raw.toUri()),
                DataOptions.none());
        KindlingException e = assertThrows(KindlingException.class, () -> idx.train(TestSpark.session()));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(images.toString()), e.getMessage());
        try (RandomAccessFile f = new RandomAccessFile(images.toFile(), "rw")) {
            f.setLength(f.length() + 12);
        }
        e = assertThrows(KindlingException.class, () -> idx.train(TestSpark.session()));
        assertTrue(e.getMessage().contains("trailing garbage: 7 bytes"), e.getMessage());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
