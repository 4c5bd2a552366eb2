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
 */
public final class HadoopIdxDirectory implements DataSource {
    private final FileSystem fs;
    private final Path dir;
    private final Path[] files;

    private HadoopIdxDirectory(FileSystem fs, Path dir, Path[] files) {
        this.fs = fs;
        this.dir = dir;
        this.files = files;
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

    static HadoopIdxDirectory open(FileSystem fs, Path dir) {
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
            return new HadoopIdxDirectory(fs, dir, found);
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
        return Dataset.fromIdx(read(files[0], 3), read(files[1], 1));
    }

    @Override
    public Dataset test(SparkSession spark) {
        return Dataset.fromIdx(read(files[2], 3), read(files[3], 1));
    }

    @Override
    public Map<String, Object> record() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("format", "idx");
        r.put("location", dir.toString());
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
