package dev.kindling.spark.data;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.data.IdxFile;
import dev.kindling.spark.runtime.SparkErrors;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The four MNIST-style IDX files ({@link IdxDirectory#BASE_NAMES}, each raw or gzip, gzip
 * preferred) in a directory of any Hadoop file system, read through {@link FileSystem} into
 * the core's {@link IdxFile} parser.
 *
 * <p>IDX labels are bare bytes, with no count of classes: {@code classes} (data option, 1 to 256)
 * gives one, checked here; without it the network's outputs are the classes, checked when the
 * data is fitted to the network ({@link DataSources#fitted}). Either way a label beyond the
 * count is refused naming the labels file, its index and its value.
 */
public final class HadoopIdxDirectory implements DataSource {
    private final FileSystem fs;
    private final Path dir;
    private final Path[] files;
    private final DataOptions options;
    /** The data option classes, or null. */
    private final Integer classes;

    private HadoopIdxDirectory(FileSystem fs, Path dir, Path[] files, DataOptions options) {
        this.fs = fs;
        this.dir = dir;
        this.files = files;
        this.options = options;
        this.classes = options.integer("classes", 1, Dataset.MAX_CLASSES);
    }

    /** Whether {@code dir} holds any of the IDX files (then it is read as an IDX directory). */
    static boolean holdsIdxFiles(FileSystem fs, Path dir) throws IOException {
        for (String base : IdxDirectory.BASE_NAMES) {
            for (String name : IdxDirectory.fileNames(base)) {
                if (fs.exists(new Path(dir, name))) {
                    return true;
                }
            }
        }
        return false;
    }

    static HadoopIdxDirectory open(FileSystem fs, Path dir, DataOptions options) {
        try {
            if (!fs.exists(dir)) {
                throw new KindlingException(dir + ": data directory does not exist (scripts/fetch-data installs Fashion-MNIST)");
            }
            if (!fs.getFileStatus(dir).isDirectory()) {
                throw new KindlingException(dir + ": is not a directory (expected a directory holding the four IDX files)");
            }
            Path[] found = new Path[IdxDirectory.BASE_NAMES.size()];
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < found.length; i++) {
                String base = IdxDirectory.BASE_NAMES.get(i);
                for (String name : IdxDirectory.fileNames(base)) {
                    Path candidate = new Path(dir, name);
                    if (fs.exists(candidate) && fs.getFileStatus(candidate).isFile()) {
                        found[i] = candidate;
                        break;
                    }
                }
                if (found[i] == null) {
                    missing.add(base + "[.gz]");
                }
            }
            if (!missing.isEmpty()) {
                throw new KindlingException(dir + ": missing " + String.join(", ", missing)
                        + " (looked for each name with and without .gz)");
            }
            return new HadoopIdxDirectory(fs, dir, found, options);
        } catch (IOException e) {
            throw new KindlingException(dir + ": cannot read the data directory: " + SparkErrors.firstLine(e), e);
        }
    }

    @Override
    public String format() {
        return "IDX";
    }

    /** Read on the driver through the file system: {@code spark} is not used and may be null. */
    @Override
    public Dataset train(SparkSession spark) {
        return counted(Dataset.fromIdx(read(files[0], 3), read(files[1], 1), Dataset.MAX_CLASSES));
    }

    @Override
    public Dataset test(SparkSession spark) {
        return counted(Dataset.fromIdx(read(files[2], 3), read(files[3], 1), Dataset.MAX_CLASSES));
    }

    /** {@code d} as the option's classes, or as the largest label + 1 for the network's outputs to widen. */
    private Dataset counted(Dataset d) {
        if (classes != null) {
            return d.withClasses(classes, "data-option classes");
        }
        int largest = 0;
        for (int i = 0; i < d.size(); i++) {
            largest = Math.max(largest, d.label(i));
        }
        return d.withClasses(largest + 1);
    }

    /**
     * The training ({@code test} false) or test files as ranges that executors read themselves,
     * or null where a file is gzip (a stream read whole, on the driver).
     */
    public IdxRanges ranges(boolean test, Map<String, String> hadoop) {
        Path images = files[test ? 2 : 0];
        Path labels = files[test ? 3 : 1];
        if (!IdxRanges.raw(fs, images) || !IdxRanges.raw(fs, labels)) {
            return null;
        }
        return IdxRanges.open(fs, images, labels, new java.util.HashMap<>(hadoop));
    }

    /** The data option classes, or null for the network's outputs. */
    public Integer classesOption() {
        return classes;
    }

    @Override
    public Map<String, Object> record() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("format", "idx");
        r.put("location", dir.toString());
        r.put("options", options.asMap());
        return r;
    }

    private IdxFile read(Path file, int rank) {
        try (InputStream in = fs.open(file)) {
            return IdxFile.read(in, file.toString(), rank);
        } catch (FileNotFoundException e) {
            throw new KindlingException(file + ": file not found", e);
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot read: " + SparkErrors.firstLine(e), e);
        }
    }
}
