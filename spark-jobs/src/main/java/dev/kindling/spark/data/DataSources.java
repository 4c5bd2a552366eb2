package dev.kindling.spark.data;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.spark.runtime.SparkErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Picks the {@link DataSource} for a location given on the command line, from what is there
 * (or from the {@code format} data option: idx, parquet, images):
 * <ul>
 *   <li>a directory holding any of the four IDX file names: the IDX files;</li>
 *   <li>a {@code .parquet} file (or one starting with Parquet's magic bytes), or a directory
 *       holding {@code .parquet} files (as Spark writes them, partition folders
 *       {@code key=value} included): Parquet;</li>
 *   <li>a directory of subdirectories, one per class: image folders;</li>
 *   <li>a directory with {@code train} and {@code test} (each also as {@code train.parquet},
 *       {@code test.parquet}) holding either of the last two: the training and test sets.</li>
 * </ul>
 * Without {@code train} and {@code test}, the test set is a seeded random part of the one set
 * ({@link SplitDataSource}).
 */
public final class DataSources {
    static final String[] TRAIN_NAMES = {"train", "train.parquet"};
    static final String[] TEST_NAMES = {"test", "test.parquet"};
    private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    private DataSources() {
    }

    /** The source at {@code location} with no data options. */
    public static DataSource open(String location, Configuration conf) {
        return open(location, DataOptions.none(), conf);
    }

    /**
     * The source at {@code location}, any Hadoop path (plain local paths, file://, hdfs://, ...).
     * Only the file system is looked at here; the data is read by the source's train and test.
     *
     * @throws KindlingException if the location does not exist or holds no supported data
     */
    public static DataSource open(String location, DataOptions options, Configuration conf) {
        Path path = new Path(location);
        FileSystem fs;
        try {
            fs = path.getFileSystem(conf);
        } catch (IOException | RuntimeException e) {
            throw new KindlingException("data: cannot reach " + location + ": " + SparkErrors.firstLine(e), e);
        }
        String format = options.choice("format", "auto", "auto", "idx", "parquet", "images");
        try {
            if (!fs.exists(path)) {
                throw new KindlingException(location + ": data location does not exist "
                        + "(scripts/fetch-data installs Fashion-MNIST)");
            }
            path = fs.makeQualified(path);
            if (format.equals("auto")) {
                format = detect(fs, path, location);
            }
        } catch (IOException e) {
            throw new KindlingException(location + ": cannot read the data location: " + SparkErrors.firstLine(e), e);
        }
        DataSource source = switch (format) {
            case "idx" -> HadoopIdxDirectory.open(fs, path, options);
            case "parquet" -> ParquetSource.open(fs, path, options);
            default -> ImageFolderSource.open(fs, path, options);
        };
        options.checkAllRead(source.format());
        return source;
    }

    private static String detect(FileSystem fs, Path path, String location) throws IOException {
        FileStatus status = fs.getFileStatus(path);
        if (status.isFile()) {
            if (isParquet(fs, status)) {
                return "parquet";
            }
            throw new KindlingException(location + ": a file that is not Parquet (it neither ends in .parquet nor "
                    + "starts with Parquet's magic bytes); --data takes a directory of IDX files, Parquet (a file or "
                    + "a directory), or a directory of image folders");
        }
        if (HadoopIdxDirectory.holdsIdxFiles(fs, path)) {
            return "idx";
        }
        Path train = child(fs, path, TRAIN_NAMES);
        Path at = train != null ? train : path;
        FileStatus atStatus = fs.getFileStatus(at);
        if (isParquet(fs, atStatus)) {
            return "parquet";
        }
        if (atStatus.isDirectory() && hasSubdirectories(fs, at)) {
            return "images";
        }
        throw new KindlingException(location + ": holds no data Kindling reads: expected the four IDX files "
                + "(train-images-idx3-ubyte[.gz], ...), Parquet files (*.parquet), one subfolder of images per "
                + "class, or train/ and test/ holding Parquet or class folders (" + listing(fs, path) + ")");
    }

    /** The first of {@code names} that exists in {@code dir}, or null. */
    static Path child(FileSystem fs, Path dir, String[] names) throws IOException {
        for (String name : names) {
            Path p = new Path(dir, name);
            if (fs.exists(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The training and test locations under {@code dir}: its {@code train} and {@code test}
     * (or {@code .parquet}) children, or {@code {dir, null}} when it has neither.
     */
    static Path[] trainAndTest(FileSystem fs, Path dir) {
        try {
            if (!fs.getFileStatus(dir).isDirectory()) {
                return new Path[] {dir, null};
            }
            Path train = child(fs, dir, TRAIN_NAMES);
            Path test = child(fs, dir, TEST_NAMES);
            if (train == null && test == null) {
                return new Path[] {dir, null};
            }
            if (train == null || test == null) {
                throw new KindlingException(dir + ": holds " + (train == null ? test.getName() : train.getName())
                        + " but no " + (train == null ? "train (or train.parquet)" : "test (or test.parquet)")
                        + "; give both, or neither to split a test set off the data");
            }
            return new Path[] {train, test};
        } catch (IOException e) {
            throw new KindlingException(dir + ": cannot read the data location: " + SparkErrors.firstLine(e), e);
        }
    }

    /** Names Spark and Hadoop leave out of a data set: hidden files and _SUCCESS, _metadata, ... */
    static boolean hidden(Path p) {
        String name = p.getName();
        return name.startsWith(".") || name.startsWith("_");
    }

    private static boolean isParquet(FileSystem fs, FileStatus status) throws IOException {
        Path p = status.getPath();
        if (status.isFile()) {
            return p.getName().endsWith(".parquet") || startsWithMagic(fs, status);
        }
        for (FileStatus s : fs.listStatus(p)) {
            if (hidden(s.getPath())) {
                continue;
            }
            if (s.isFile() && s.getPath().getName().endsWith(".parquet")) {
                return true;
            }
            if (s.isDirectory() && s.getPath().getName().contains("=") && isParquet(fs, s)) {
                return true; // a partition folder, e.g. label=3/
            }
        }
        return false;
    }

    private static boolean startsWithMagic(FileSystem fs, FileStatus file) throws IOException {
        if (file.getLen() < 12) {
            return false;
        }
        byte[] head = new byte[PARQUET_MAGIC.length];
        try (InputStream in = fs.open(file.getPath())) {
            return in.readNBytes(head, 0, head.length) == head.length && java.util.Arrays.equals(head, PARQUET_MAGIC);
        }
    }

    private static boolean hasSubdirectories(FileSystem fs, Path dir) throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isDirectory() && !hidden(s.getPath())) {
                return true;
            }
        }
        return false;
    }

    private static String listing(FileSystem fs, Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            names.add(s.getPath().getName() + (s.isDirectory() ? "/" : ""));
        }
        names.sort(null);
        if (names.isEmpty()) {
            return "it is empty";
        }
        int shown = Math.min(names.size(), 8);
        return "it holds " + String.join(", ", names.subList(0, shown)) + (names.size() > shown ? ", ..." : "");
    }

    /**
     * {@code d} checked against the network (shape; no more classes than outputs) and widened to
     * as many classes as the network has outputs, the width of the one-hot targets it is trained on.
     * A label beyond the outputs is refused naming where the labels came from, its index and value.
     */
    public static Dataset fitted(Dataset d, NetworkSpec spec, int outputs) {
        if (!spec.accepts(dev.kindling.train.Trainer.shapeOf(d))) {
            throw new KindlingException(d.source() + ": examples of shape " + dev.kindling.train.Trainer.shapeOf(d)
                    + " do not fit the network's input " + spec.input());
        }
        if (d.classes() > outputs) {
            d.withClasses(outputs, "the network's outputs"); // throws naming the first label beyond them, if any
            throw new KindlingException(d.source() + ": " + d.classes() + " classes, but the network has " + outputs
                    + " outputs");
        }
        return d.withClasses(outputs);
    }

    public static String describeClasses(List<String> names) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(i).append(' ').append(names.get(i));
        }
        return b.toString();
    }

    /** The data options a model records, less the split ones unless {@code data} is where it was trained. */
    public static Map<String, String> recordedOptions(Map<String, Object> recorded, String data, Configuration hadoop) {
        Map<String, String> options = new TreeMap<>();
        if (recorded.get("options") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> options.put(String.valueOf(k), String.valueOf(v)));
        }
        String here;
        try {
            Path p = new Path(data);
            here = p.getFileSystem(hadoop).makeQualified(p).toString();
        } catch (IOException | RuntimeException e) {
            here = data;
        }
        if (!here.equals(recorded.get("location"))) {
            options.remove("test-fraction");
            options.remove("split-seed");
        }
        return options;
    }
}
