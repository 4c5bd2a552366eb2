package dev.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.Backends;
import dev.kindling.cli.ErrorsDoc;
import dev.kindling.cli.Main;
import dev.kindling.data.Dataset;
import dev.kindling.io.ModelFile;
import dev.kindling.io.Unwritable;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.spark.data.ParquetSourceTest;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input of the Spark trainer, end to end through the launcher on local[2]: Parquet, image
 * folders, HDFS, the run directory and the Spark-only flags. Each case checks the exit code, one
 * message naming file, field and value, and that the output directory is as it was. Each case's id
 * is a row of docs/errors.md.
 */
public class SparkBadInputCliTest {
    /** The masters of the commands that run on Spark only, as their messages list them. */
    static final String SPARK_MASTERS = "(expected local, local[N], local[*], spark://HOST:PORT, yarn or k8s://URL)";

    @TempDir
    static Path shared;
    static MiniDFSCluster hdfs;
    static String lockedOnHdfs;
    static Path model;

    @TempDir
    Path tmp;

    /** What a case runs, as whom on HDFS (null: this process's user), and what its message must name. */
    record Run(String[] args, String user, List<String> names) {
    }

    @FunctionalInterface
    interface Setup {
        Run prepare(Path tmp) throws Exception;
    }

    @BeforeAll
    static void writeTheBadData() throws Exception {
        SparkSession spark = TestSpark.session();
        Dataset good = TestSpark.train(40);
        TestData.writeParquet(spark, good, shared.resolve("good"), "binary", 1000);
        parquet(spark, shared.resolve("string-label.parquet"), schema(DataTypes.StringType, DataTypes.BinaryType),
                List.of(RowFactory.create("coat", new byte[784])));
        parquet(spark, shared.resolve("string-image.parquet"), schema(DataTypes.IntegerType, DataTypes.StringType),
                List.of(RowFactory.create(1, "pixels")));
        parquet(spark, shared.resolve("no-rows.parquet"), schema(DataTypes.IntegerType, DataTypes.BinaryType),
                List.of());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(RowFactory.create(i == 6 ? 300 : i, new byte[784]));
        }
        parquet(spark, shared.resolve("label-300.parquet"), schema(DataTypes.IntegerType, DataTypes.BinaryType), rows);
        rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(RowFactory.create(i % 10, new byte[14 * 14]));
        }
        parquet(spark, shared.resolve("14x14.parquet"), schema(DataTypes.IntegerType, DataTypes.BinaryType), rows);
        rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(new BufferedImage(30, 20, BufferedImage.TYPE_BYTE_GRAY), "png", png);
            rows.add(RowFactory.create(i, i == 4 ? new byte[] {1, 2, 3} : png.toByteArray()));
        }
        parquet(spark, shared.resolve("encoded.parquet"), schema(DataTypes.IntegerType, DataTypes.BinaryType), rows);
        TestSpark.stop(); // the launcher starts its own Spark

        Network net = Network.build(NetworkSpec.mlp("784-8-10", "he", 0), Backends.create("loop"));
        net.initialize(1);
        model = shared.resolve("model");
        ModelFile.save(net, Map.of(), model);

        File base = Files.createTempDirectory("kindling-hdfs").toFile();
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        FileSystem fs = hdfs.getFileSystem();
        org.apache.hadoop.fs.Path locked = new org.apache.hadoop.fs.Path("/locked");
        fs.mkdirs(new org.apache.hadoop.fs.Path(locked, "data"));
        fs.setPermission(locked, new FsPermission((short) 0700));
        lockedOnHdfs = fs.getUri() + "/locked/data";
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown(true);
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // flags only the Spark trainer reads
                of("spark-unknown-master", Main.EXIT_USAGE, t -> run(train(good(), t, "--master", "local[0]"),
                        "master", "local[0]")),
                of("spark-resume-without-checkpoint", Main.EXIT_USAGE, t -> {
                    Files.createDirectories(t.resolve("out"));
                    return run(train(good(), t, "--resume"), "resume", t.resolve("out").toString(),
                            "no checkpoint");
                }),
                of("spark-resume-other-settings", Main.EXIT_USAGE, t -> {
                    Cli.Result first = Cli.run(train(good(), t, "--batch", "20"));
                    assertEquals(0, first.code(), first.out() + first.err());
                    return run(train(good(), t, "--batch", "10", "--resume"), "resume", "batch 20", "10");
                }),
                of("spark-resume-and-overwrite", Main.EXIT_USAGE, t -> run(train(good(), t, "--resume",
                        "--overwrite"), "resume", "--overwrite")),
                of("spark-out-holds-another-run", Main.EXIT_USAGE, t -> {
                    Path out = Files.createDirectories(t.resolve("out").resolve("checkpoint"));
                    Files.writeString(out.resolve("checkpoint.json"), "{}");
                    return run(train(good(), t), "out", t.resolve("out").toString(), "already holds a run",
                            "--overwrite", "--resume");
                }),
                of("spark-partitions-zero", Main.EXIT_USAGE, t -> run(train(good(), t, "--partitions", "0"),
                        "partitions", "0")),
                of("spark-checkpoint-every-negative", Main.EXIT_USAGE, t -> run(train(good(), t,
                        "--checkpoint-every", "-1"), "checkpoint-every", "-1")),
                of("data-option-unknown", Main.EXIT_USAGE, t -> run(train(good(), t, "--data-option", "colour=grey"),
                        "data-option", "colour")),
                of("data-option-bad-value", Main.EXIT_USAGE, t -> run(train(good(), t, "--data-option",
                        "test-fraction=1.5"), "test-fraction", "1.5")),
                of("data-option-size-zero", Main.EXIT_USAGE, t -> run(train(imageFolders(t, 28, 28).toString(), t,
                        "--data-option", "size=0x32"), "data-option size", "0x32", "a side of 0")),
                of("data-option-not-for-format", Main.EXIT_USAGE, t -> run(train(good(), t, "--data-option",
                        "color=grey"), "data-option", "color")),
                // the data
                of("spark-data-missing", Main.EXIT_FAILED, t -> run(train(t.resolve("nowhere").toString(), t),
                        t.resolve("nowhere").toString(), "does not exist")),
                of("spark-data-empty-directory", Main.EXIT_FAILED, t -> {
                    Path d = Files.createDirectories(t.resolve("empty"));
                    return run(train(d.toString(), t), d.toString(), "holds no data");
                }),
                of("spark-idx-raw-truncated", Main.EXIT_FAILED, t -> {
                    Path d = TestData.writeIdx(t.resolve("data"), 20, 10);
                    for (String name : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")) {
                        byte[] raw = new java.util.zip.GZIPInputStream(Files.newInputStream(d.resolve(name + ".gz")))
                                .readAllBytes();
                        Files.delete(d.resolve(name + ".gz"));
                        // the training images cut short: a copy broken off mid-way
                        Files.write(d.resolve(name), name.startsWith("train-images")
                                ? Arrays.copyOf(raw, raw.length - 100) : raw);
                    }
                    return run(train(d.toString(), t), "train-images-idx3-ubyte", "truncated",
                            "20 records of 784 bytes");
                }),
                of("sweep-task-mode-data-too-large", Main.EXIT_USAGE, t -> {
                    System.setProperty("spark.kindling.sweep.taskModeMaxBytes", "10k");
                    return run(sweep(good(), t, "--trial-mode", "task"), "28,224 bytes", "10,240 bytes",
                            "--trial-mode distributed");
                }),
                of("parquet-wrong-label-type", Main.EXIT_FAILED, t -> run(train(at("string-label.parquet"), t),
                        "string-label.parquet", "column label", "string")),
                of("parquet-wrong-image-type", Main.EXIT_FAILED, t -> run(train(at("string-image.parquet"), t),
                        "string-image.parquet", "column image", "string")),
                of("parquet-no-rows", Main.EXIT_FAILED, t -> run(train(at("no-rows.parquet"), t),
                        "no-rows.parquet", "no rows")),
                of("parquet-label-out-of-range", Main.EXIT_FAILED, t -> run(train(at("label-300.parquet"), t),
                        "label-300.parquet", "row 6", "label 300", "column label")),
                of("parquet-label-beyond-classes", Main.EXIT_FAILED, t -> run(train(good(), t, "--data-option",
                        "classes=5"), "good", "label", "5 classes")),
                of("spark-idx-label-beyond-network-outputs", Main.EXIT_FAILED, t -> {
                    Path d = TestData.writeIdx(t.resolve("data"), 20, 10);
                    return run(train(d.toString(), t, "--arch", "784-8-5"), "train-labels-idx1-ubyte.gz",
                            "label 5 at index 5", "5 classes (0 to 4, the network's outputs)");
                }),
                of("spark-idx-label-beyond-classes-option", Main.EXIT_FAILED, t -> {
                    Path d = TestData.writeIdx(t.resolve("data"), 20, 13);
                    return run(train(d.toString(), t, "--arch", "784-8-13", "--data-option", "classes=12"),
                            "train-labels-idx1-ubyte.gz", "label 12 at index 12", "(0 to 11, data-option classes)");
                }),
                of("parquet-image-size-not-accepted", Main.EXIT_FAILED, t -> run(train(at("14x14.parquet"), t),
                        "14x14.parquet", "1x14x14", "784")),
                of("images-non-image-file", Main.EXIT_FAILED, t -> {
                    Path d = imageFolders(t, 28, 28);
                    Path bad = Files.writeString(d.resolve("bag").resolve("notes.png"), "not a picture");
                    return run(train(d.toString(), t), bad.getFileName().toString(), "not an image");
                }),
                of("images-corrupt-png", Main.EXIT_FAILED, t -> {
                    Path d = imageFolders(t, 28, 28);
                    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
                    javax.imageio.ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", png);
                    Path bad = Files.write(d.resolve("coat").resolve("cut.png"),
                            Arrays.copyOf(png.toByteArray(), png.size() / 2));
                    return run(train(d.toString(), t, "--data-option", "size=28x28"), bad.getFileName().toString(),
                            "not an image");
                }),
                of("parquet-encoded-not-an-image", Main.EXIT_FAILED, t -> {
                    return run(train(at("encoded.parquet"), t, "--data-option",
                            "image-format=encoded", "--data-option", "size=28x28"), "encoded.parquet", "row 4",
                            "column image", "not an image");
                }),
                of("images-mixed-sizes", Main.EXIT_FAILED, t -> {
                    Path d = imageFolders(t, 28, 28);
                    TestData.writePng(new BufferedImage(14, 14, BufferedImage.TYPE_BYTE_GRAY),
                            d.resolve("coat").resolve("small.png"));
                    return run(train(d.toString(), t), "small.png", "14 x 14");
                }),
                of("images-file-beside-class-folders", Main.EXIT_FAILED, t -> {
                    Path d = imageFolders(t, 28, 28);
                    Files.writeString(d.resolve("labels.csv"), "a,b\n");
                    return run(train(d.toString(), t), "labels.csv", "beside the class folders");
                }),
                of("hdfs-no-permission", Main.EXIT_FAILED, t -> new Run(train(lockedOnHdfs, t), "alice",
                        List.of(lockedOnHdfs, "Permission denied", "alice"))),
                of("hdfs-out-no-permission", Main.EXIT_FAILED, t -> {
                    String out = lockedOnHdfs.replace("/data", "/run");
                    String[] args = train(good(), t);
                    args[Arrays.asList(args).indexOf("--out") + 1] = out;
                    return new Run(args, "alice", List.of("out", out, "Permission denied", "alice"));
                }),
                // the output, checked before any data is read (here the data is missing too)
                of("spark-out-parent-is-a-file", Main.EXIT_USAGE, t -> {
                    Path file = Files.writeString(t.resolve("notes.txt"), "a file");
                    return run(withOut(train(t.resolve("nowhere").toString(), t), file.resolve("run")), "out",
                            file.resolve("run").toString(), file + " is a file, not a directory");
                }),
                of("spark-out-no-permission", Main.EXIT_FAILED, t -> {
                    Path locked = Unwritable.directory(t.resolve("locked"));
                    return run(withOut(train(t.resolve("nowhere").toString(), t), locked.resolve("run")), "out",
                            locked.resolve("run").toString(), "permission denied", "ask for write access");
                }),
                of("sweep-out-no-permission", Main.EXIT_FAILED, t -> {
                    Path locked = Unwritable.directory(t.resolve("locked"));
                    return run(withOut(sweep(t.resolve("nowhere").toString(), t), locked.resolve("sweep")), "out",
                            locked.resolve("sweep").toString(), "permission denied");
                }),
                of("predict-out-parent-is-a-file", Main.EXIT_USAGE, t -> {
                    Path file = Files.writeString(t.resolve("notes.txt"), "a file");
                    return run(withOut(predict(t.resolve("nowhere").toString(), t), file.resolve("scores")), "out",
                            file + " is a file, not a directory");
                }),
                // commands that run on Spark only, and nothing of theirs written (sweep.json, trials/, a registry)
                of("predict-master-single", Main.EXIT_USAGE, t -> run(predict(good(), t, "--master", "single"),
                        "master", "single", "predict needs a Spark master", SPARK_MASTERS)),
                of("sweep-master-single", Main.EXIT_USAGE, t -> run(sweep(good(), t, "--master", "single"),
                        "master", "single", "sweep needs a Spark master", SPARK_MASTERS)),
                of("retrain-master-single", Main.EXIT_USAGE, t -> run(retrain(good(), t, "--master", "single"),
                        "master", "single", "retrain needs a Spark master", SPARK_MASTERS)),
                // the registry
                of("retrain-registry-is-a-file", Main.EXIT_USAGE, t -> {
                    Files.writeString(t.resolve("out"), "a file");
                    return run(retrain(good(), t), "registry", t.resolve("out").toString(), "not a directory");
                }),
                of("retrain-parquet-wrong-label-type", Main.EXIT_FAILED, t -> run(retrain(at("string-label.parquet"),
                        t), "string-label.parquet", "column label", "string")),
                // evaluate
                of("spark-evaluate-image-size-differs", Main.EXIT_FAILED, t -> run(new String[] {"evaluate",
                    "--model", model.toString(), "--data", at("14x14.parquet"), "--master", "local[2]"},
                        "14x14.parquet", "1x14x14", "784")),
                of("spark-evaluate-corrupted-model", Main.EXIT_FAILED, t -> {
                    Path m = Files.createDirectories(t.resolve("model"));
                    Files.copy(model.resolve(ModelFile.DESCRIPTION), m.resolve(ModelFile.DESCRIPTION));
                    byte[] w = Files.readAllBytes(model.resolve(ModelFile.WEIGHTS));
                    w[w.length / 2] ^= 0x01;
                    Files.write(m.resolve(ModelFile.WEIGHTS), w);
                    return run(new String[] {"evaluate", "--model", m.toUri().toString(), "--data", good(),
                        "--master", "local[2]"}, "weights.bin", "checksum", "corrupted");
                }),
                of("spark-model-is-run-directory", Main.EXIT_FAILED, t -> {
                    Path run = t.resolve("run");
                    FileSystem.getLocal(new Configuration()).copyFromLocalFile(
                            new org.apache.hadoop.fs.Path(model.toUri()),
                            new org.apache.hadoop.fs.Path(run.resolve("model").toUri()));
                    return run(new String[] {"evaluate", "--model", run.toString(), "--data", good(),
                        "--master", "local[2]"}, run.toString(), "a run directory", "--model " + run.resolve("model"));
                }),
                of("spark-evaluate-corrupted-model-with-crc", Main.EXIT_FAILED, t -> {
                    // written as a Spark run writes it: Hadoop's local file system keeps a .crc beside each file
                    FileSystem local = FileSystem.getLocal(new Configuration());
                    Path m = t.resolve("model");
                    local.copyFromLocalFile(new org.apache.hadoop.fs.Path(model.toUri()),
                            new org.apache.hadoop.fs.Path(m.toUri()));
                    assertTrue(Files.exists(m.resolve("." + ModelFile.WEIGHTS + ".crc")));
                    byte[] w = Files.readAllBytes(m.resolve(ModelFile.WEIGHTS));
                    w[w.length / 2] ^= 0x01;
                    Files.write(m.resolve(ModelFile.WEIGHTS), w);
                    return run(new String[] {"evaluate", "--model", m.toString(), "--data", good(),
                        "--master", "local[2]"}, "weights.bin: checksum crc32:", "recorded in",
                            "the weights are corrupted");
                }),
                of("spark-evaluate-corrupted-description-with-crc", Main.EXIT_FAILED, t -> {
                    FileSystem local = FileSystem.getLocal(new Configuration());
                    Path m = t.resolve("model");
                    local.copyFromLocalFile(new org.apache.hadoop.fs.Path(model.toUri()),
                            new org.apache.hadoop.fs.Path(m.toUri()));
                    // still a model Kindling would load, with another activation: only the file system's checksum tells
                    String json = Files.readString(m.resolve(ModelFile.DESCRIPTION));
                    assertTrue(json.contains("\"relu\""), json);
                    Files.writeString(m.resolve(ModelFile.DESCRIPTION), json.replace("\"relu\"", "\"tanh\""));
                    return run(new String[] {"evaluate", "--model", m.toString(), "--data", good(),
                        "--master", "local[2]"}, "model.json", "checksum", "the model description is corrupted");
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithOneMessageNamingWhatIsWrong(String id, int code, Setup setup) throws Exception {
        Run run = setup.prepare(tmp);
        Path out = tmp.resolve("out");
        List<String> before = listing(out);
        Cli.Result r = run.user() == null ? Cli.run(run.args())
                : UserGroupInformation.createRemoteUser(run.user())
                        .doAs((PrivilegedExceptionAction<Cli.Result>) () -> Cli.run(run.args()));
        assertEquals(code, r.code(), id + ": " + r.out() + r.err());
        String message = r.err().lines().findFirst().orElse("");
        assertTrue(message.startsWith("kindling: "), id + ": " + r.err());
        for (String name : run.names()) {
            assertTrue(message.contains(name), id + ": the message should name " + name + ": " + message);
        }
        assertFalse(r.err().contains("\tat "), id + ": no stack trace: " + r.err());
        assertEquals(before, listing(out), id + ": the output directory is as it was: nothing half-written");
        ErrorsDoc.record(id, code, run.args(), message, tmp, shared);
    }

    @AfterEach
    void giveBackWriteAccess() throws IOException {
        Unwritable.releaseAll();
        System.clearProperty("spark.kindling.sweep.taskModeMaxBytes");
    }

    @Test
    void theCommandsThatRunOnSparkOnlyListTheMastersTheyTake() throws IOException {
        for (String[] args : List.of(predict(good(), tmp, "--master", "cluster"),
                sweep(good(), tmp, "--master", "cluster"), retrain(good(), tmp, "--master", "cluster"))) {
            Cli.Result r = Cli.run(args);
            Cli.assertRefused(r, Main.EXIT_USAGE, "master", "\"cluster\"", SPARK_MASTERS);
            assertFalse(r.err().contains("single"), args[0] + " does not take single: " + r.err());
        }
        assertEquals(List.of(), listing(tmp.resolve("out")), "nothing written");
    }

    @Test
    void everyCaseIsListedInDocsErrorsMd() throws IOException {
        ErrorsDoc.assertListed(cases().map(a -> (String) a.get()[0]).toList(),
                cases().map(a -> (Integer) a.get()[1]).toList());
    }

    @Test
    void overwriteReplacesAnEarlierRunOnlyOnceTheNewRunHasItsData() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out.resolve("checkpoint"));
        Files.createDirectories(out.resolve("model"));
        Files.writeString(out.resolve("metrics.jsonl"), "{\"earlier\":1}\n");
        Files.writeString(out.resolve("checkpoint").resolve("checkpoint.json"), "{}");
        Files.writeString(out.resolve("model").resolve("model.json"), "{}");
        List<String> before = listing(out);

        Cli.Result failed = Cli.run(train(at("string-label.parquet"), tmp, "--overwrite"));
        assertEquals(Main.EXIT_FAILED, failed.code(), failed.out() + failed.err());
        assertEquals(before, listing(out), "a failed --overwrite run leaves the earlier run whole");
        assertEquals("{\"earlier\":1}\n", Files.readString(out.resolve("metrics.jsonl")));

        Cli.Result replaced = Cli.run(train(good(), tmp, "--overwrite", "--partitions", "2"));
        assertEquals(0, replaced.code(), replaced.out() + replaced.err());
        assertFalse(Files.readString(out.resolve("metrics.jsonl")).contains("earlier"));
        assertTrue(Files.exists(out.resolve("model").resolve(ModelFile.WEIGHTS)));
        assertTrue(Files.readString(out.resolve("checkpoint").resolve("checkpoint.json")).contains("round"));
    }

    // ---- helpers ----

    static Arguments of(String id, int code, Setup setup) {
        return Arguments.of(id, code, setup);
    }

    static Run run(String[] args, String... names) {
        return new Run(args, null, List.of(names));
    }

    static String good() {
        return shared.resolve("good").toString();
    }

    static String at(String name) {
        return shared.resolve(name).toString();
    }

    /** A quick run on local[2]; {@code extra} flags follow the defaults, replacing those they name. */
    static String[] train(String data, Path tmp, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data, "--out", tmp.resolve("out").toString(),
                "--epochs", "1"));
        List<String> given = Arrays.asList(extra);
        for (String[] d : new String[][] {{"--arch", "784-8-10"}, {"--master", "local[2]"}}) {
            if (!given.contains(d[0])) {
                args.addAll(List.of(d));
            }
        }
        args.addAll(given);
        return args.toArray(String[]::new);
    }

    /** A sweep of one trial writing to tmp/out; {@code extra} flags follow the defaults. */
    static String[] sweep(String data, Path tmp, String... extra) throws IOException {
        Path spec = Files.writeString(tmp.resolve("sweep.yaml"), "base: {arch: 784-8-10, epochs: 1}\n"
                + "parameters:\n  lr: {choice: [0.01]}\nmethod: grid\n");
        return withMaster(List.of("sweep", "--spec", spec.toString(), "--data", data, "--out",
                tmp.resolve("out").toString()), extra);
    }

    /** A retrain with tmp/out as its registry; {@code extra} flags follow the defaults. */
    static String[] retrain(String data, Path tmp, String... extra) {
        return withMaster(List.of("retrain", "--registry", tmp.resolve("out").toString(), "--data", data,
                "--run-id", "r1", "--epochs", "1"), extra);
    }

    /** Scoring with the shared model into tmp/out; {@code extra} flags follow the defaults. */
    static String[] predict(String data, Path tmp, String... extra) {
        return withMaster(List.of("predict", "--model", model.toString(), "--data", data, "--out",
                tmp.resolve("out").toString()), extra);
    }

    /** {@code args}, then --master local[2] unless {@code extra} names a master, then {@code extra}. */
    private static String[] withMaster(List<String> args, String... extra) {
        List<String> all = new ArrayList<>(args);
        if (!Arrays.asList(extra).contains("--master")) {
            all.addAll(List.of("--master", "local[2]"));
        }
        all.addAll(Arrays.asList(extra));
        return all.toArray(String[]::new);
    }

    /** {@code args} writing to {@code out} instead. */
    static String[] withOut(String[] args, Path out) {
        String[] copy = args.clone();
        copy[Arrays.asList(copy).indexOf("--out") + 1] = out.toString();
        return copy;
    }

    static StructType schema(org.apache.spark.sql.types.DataType label, org.apache.spark.sql.types.DataType image) {
        return ParquetSourceTest.schema(label, image, Metadata.empty());
    }

    static void parquet(SparkSession spark, Path dir, StructType schema, List<Row> rows) {
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir.toUri().toString());
    }

    /** Two class folders (bag, coat) of five blank grey h x w PNG images each. */
    static Path imageFolders(Path tmp, int h, int w) throws IOException {
        Path d = tmp.resolve("images");
        for (String c : List.of("bag", "coat")) {
            for (int i = 0; i < 5; i++) {
                TestData.writePng(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY),
                        d.resolve(c).resolve(i + ".png"));
            }
        }
        return d;
    }

    static List<String> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}
