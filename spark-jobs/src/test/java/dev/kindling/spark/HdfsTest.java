package dev.kindling.spark;

import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.io.HadoopFiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.io.ModelFile;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The IDX files read from, and a run written to, hdfs:// on an in-process HDFS (MiniDFSCluster). */
public class HdfsTest {
    static MiniDFSCluster cluster;
    static FileSystem fs;
    static String data;

    @BeforeAll
    static void startHdfs() throws Exception {
        File base = Files.createTempDirectory("kindling-hdfs").toFile();
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        fs = cluster.getFileSystem();
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path("/data/fashion");
        fs.mkdirs(dir);
        IdxDirectory local = IdxDirectory.open(TestSpark.fashionMnist());
        for (Path p : List.of(local.trainImages(), local.trainLabels(), local.testImages(), local.testLabels())) {
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(p.toUri()), new org.apache.hadoop.fs.Path(dir, p.getFileName().toString()));
        }
        data = fs.getUri() + "/data/fashion";
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    @Test
    void readsTheIdxFilesFromHdfsAsTheLocalReaderDoes() {
        assertTrue(data.startsWith("hdfs://"), data);
        DataSource source = DataSources.open(data, fs.getConf());
        Dataset fromHdfs = source.test(TestSpark.session()).collect(); // read by a task, through Hadoop
        Dataset fromDisk = IdxDirectory.open(TestSpark.fashionMnist()).loadTest();
        assertEquals(fromDisk.size(), fromHdfs.size());
        assertArrayEquals(fromDisk.pixels(), fromHdfs.pixels());
        assertArrayEquals(fromDisk.labels(), fromHdfs.labels());
        assertEquals(60_000, source.train(TestSpark.session()).count());
    }

    @Test
    void aMissingFileOnHdfsIsNamed() throws Exception {
        fs.mkdirs(new org.apache.hadoop.fs.Path("/data/empty-ish"));
        fs.create(new org.apache.hadoop.fs.Path("/data/empty-ish/train-images-idx3-ubyte.gz")).close();
        dev.kindling.KindlingException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.kindling.KindlingException.class, () -> DataSources.open(fs.getUri() + "/data/empty-ish", fs.getConf()));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte"), e.getMessage());
    }

    @Test
    void rawIdxFilesOnHdfsAreReadByTheExecutors() throws Exception {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path("/data/raw");
        fs.mkdirs(dir);
        Dataset train = TestSpark.train(600);
        Dataset test = TestSpark.test(100);
        writeRaw(dir, IdxDirectory.TRAIN_IMAGES, dev.kindling.data.IdxFile.images(600, 28, 28, train.pixels()));
        writeRaw(dir, IdxDirectory.TRAIN_LABELS, dev.kindling.data.IdxFile.labels(train.labels()));
        writeRaw(dir, IdxDirectory.TEST_IMAGES, dev.kindling.data.IdxFile.images(100, 28, 28, test.pixels()));
        writeRaw(dir, IdxDirectory.TEST_LABELS, dev.kindling.data.IdxFile.labels(test.labels()));
        TestSpark.stop();
        Cli.Result r = Cli.run("train", "--data", fs.getUri() + "/data/raw", "--out", fs.getUri() + "/runs/raw",
                "--master", "local[2]", "--arch", "784-16-10", "--epochs", "1", "--partitions", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/runs/raw/model/weights.bin")));
    }

    private static void writeRaw(org.apache.hadoop.fs.Path dir, String name, dev.kindling.data.IdxFile file)
            throws Exception {
        try (java.io.OutputStream out = fs.create(new org.apache.hadoop.fs.Path(dir, name))) {
            file.write(out);
        }
    }

    @Test
    void aRunReadsAndWritesHdfsThroughTheCli() throws Exception {
        TestSpark.stop();
        String out = fs.getUri() + "/runs/first";
        Cli.Result r = Cli.run("train", "--data", data, "--out", out, "--master", "local[2]", "--arch", "784-16-10",
                "--epochs", "1", "--limit", "1000", "--partitions", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        org.apache.hadoop.fs.Path model = new org.apache.hadoop.fs.Path("/runs/first/model");
        ModelFile.Contents c = ModelFile.parse("model.json",
                HadoopFiles.read(fs, new org.apache.hadoop.fs.Path(model, ModelFile.DESCRIPTION)), "weights.bin",
                HadoopFiles.read(fs, new org.apache.hadoop.fs.Path(model, ModelFile.WEIGHTS)));
        assertEquals(784 * 16 + 16 + 16 * 10 + 10, c.parameters().length);
        String metrics = new String(HadoopFiles.read(fs, new org.apache.hadoop.fs.Path("/runs/first/metrics.jsonl")));
        assertTrue(metrics.contains("\"type\":\"epoch\"") && metrics.contains("\"type\":\"round\""), metrics);
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/runs/first/checkpoint/optimizer.bin")));
    }
}
