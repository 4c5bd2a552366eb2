package dev.kindling.spark.data;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.data.IdxFile;
import dev.kindling.spark.runtime.SparkErrors;
import dev.kindling.spark.runtime.SparkSettings;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;

/**
 * The four MNIST-style IDX files ({@link IdxDirectory#BASE_NAMES}, each raw or gzip, gzip
 * preferred) in a directory of any Hadoop file system, read through {@link FileSystem} into
 * the core's {@link IdxFile} parser.
 *
 * <p>IDX labels are bare bytes, with no count of classes: {@code classes} (data option, 1 to 256)
 * gives one, checked where the labels are read; without it the network's outputs are the
 * classes, checked where the examples are read for a network ({@link Examples#fitted}). Either way a label beyond the
 * count is refused naming the labels file, its index and its value.
 */
public final class HadoopIdxDirectory implements DataSource {
    private final FileSystem fs;
    private final Path dir;
    private final Path[] files;
    private final DataOptions options;
    /** The data option classes, or null. */
    private final Integer classes;
    private static final String CLASSES_OPTION = "data-option classes";

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

    @Override
    public Examples train(SparkSession spark) {
        return examples(spark, files[0], files[1]);
    }

    @Override
    public Examples test(SparkSession spark) {
        return examples(spark, files[2], files[3]);
    }

    /**
     * Raw files are read by range, in as many tasks as the shards; a gzip stream cannot be
     * entered in the middle, so a gzip pair is read whole by one task and its examples are
     * spread over the shards by the shuffle that builds them.
     */
    private Examples examples(SparkSession spark, Path images, Path labels) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Map<String, String> hadoop = new HashMap<>(SparkSettings.hadoopEntries(sc.getConf()));
        if (IdxRanges.raw(fs, images) && IdxRanges.raw(fs, labels)) {
            return Examples.ranged(sc, IdxRanges.open(fs, images, labels, hadoop), classes, CLASSES_OPTION);
        }
        IdxFile.Header im = IdxRanges.header(fs, images, 3);
        IdxFile.Header lb = IdxRanges.header(fs, labels, 1);
        if (im.count() != lb.count()) {
            throw new KindlingException(String.format("%s holds %d images but %s holds %d labels", images,
                    im.count(), labels, lb.count()));
        }
        JavaRDD<Example> read = sc.parallelize(List.of(0), 1)
                .flatMap(new ReadWhole(images.toString(), labels.toString(), hadoop, classes));
        return Examples.decoded(sc, read, im.count(), 1, im.dimensions()[1], im.dimensions()[2], classes,
                CLASSES_OPTION, images.toString(), false, List.of()).labelledBy(labels.toString());
    }

    /** Reads a gzip file pair whole where the task runs. */
    private record ReadWhole(String images, String labels, Map<String, String> hadoop, Integer classes)
            implements FlatMapFunction<Integer, Example> {
        @Override
        public Iterator<Example> call(Integer ignored) {
            Configuration conf = new Configuration();
            hadoop.forEach(conf::set);
            Dataset d = Dataset.fromIdx(read(conf, new Path(images), 3), read(conf, new Path(labels), 1),
                    Dataset.MAX_CLASSES);
            if (classes != null) {
                d = d.withClasses(classes, CLASSES_OPTION);
            }
            return Example.all(d, 0).iterator();
        }
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

    private static IdxFile read(Configuration conf, Path file, int rank) {
        try (InputStream in = file.getFileSystem(conf).open(file)) {
            return IdxFile.read(in, file.toString(), rank);
        } catch (FileNotFoundException e) {
            throw new KindlingException(file + ": file not found", e);
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot read: " + SparkErrors.firstLine(e), e);
        }
    }
}
