package dev.kindling.spark.data;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.spark.runtime.SparkErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A source read through Spark SQL whose location holds either {@code train} and {@code test}
 * (read as they are) or one data set, of which a seeded random {@code test-fraction} (default
 * 0.1, seed {@code split-seed}, default 1, independent of the training seed so that
 * {@code evaluate} finds the same test set) is held out as the test set.
 */
public abstract class SplitDataSource implements DataSource {
    static final double DEFAULT_TEST_FRACTION = 0.1;
    static final long DEFAULT_SPLIT_SEED = 1;

    protected final FileSystem fs;
    protected final Path location;
    protected final Path trainPath;
    /** Null when the test set is split off the training location. */
    protected final Path testPath;
    protected final DataOptions options;
    private final double testFraction;
    private final long splitSeed;
    private final List<String> notes = new ArrayList<>();
    private Examples[] split;

    protected SplitDataSource(FileSystem fs, Path location, DataOptions options) {
        this.fs = fs;
        this.location = location;
        this.options = options;
        Path[] paths = DataSources.trainAndTest(fs, location);
        this.trainPath = paths[0];
        this.testPath = paths[1];
        if (testPath != null && (options.has("test-fraction") || options.has("split-seed"))) {
            throw new UsageException("data-option test-fraction, split-seed: " + location + " has "
                    + trainPath.getName() + " and " + testPath.getName() + "; a split applies to a location without them");
        }
        this.testFraction = options.fraction("test-fraction", DEFAULT_TEST_FRACTION);
        this.splitSeed = options.longValue("split-seed", DEFAULT_SPLIT_SEED);
    }

    /** Reads the data at {@code at} (the training or the test location, or the one set). */
    protected abstract Examples read(SparkSession spark, Path at);

    protected static JavaSparkContext sc(SparkSession spark) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @Override
    public Examples train(SparkSession spark) {
        return testPath != null ? readAll(spark, trainPath) : split(spark)[0];
    }

    @Override
    public Examples test(SparkSession spark) {
        return testPath != null ? readAll(spark, testPath) : split(spark)[1];
    }

    private Examples[] split(SparkSession spark) {
        if (split == null) {
            Examples all = readAll(spark, trainPath);
            int testSize = (int) Math.round(all.count() * testFraction);
            if (testSize == 0 || testSize == all.count()) {
                throw new KindlingException(String.format("%s: %d examples leave %s with a split of %s (data-option "
                        + "test-fraction); use more data or another fraction, or give train/ and test/", location,
                        all.count(), testSize == 0 ? "no test set" : "no training set", testFraction));
            }
            Examples[] parts = all.split(all.count() - testSize, splitSeed);
            notes.add(String.format("test set: %,d of the %,d examples (%s) held out at random (data-option "
                    + "test-fraction %s, split-seed %d); the rest, %,d, train", testSize, all.count(), location,
                    testFraction, splitSeed, parts[0].count()));
            split = parts;
        }
        return split;
    }

    /** The data at {@code at} as a whole, unsplit, with Spark's errors turned into messages that name the file. */
    Examples readAll(SparkSession spark, Path at) {
        if (spark == null) {
            throw new IllegalStateException(format() + " data is read through Spark: a session is needed");
        }
        try {
            return read(spark, at);
        } catch (Exception e) { // Spark's checked exceptions are thrown undeclared
            throw SparkErrors.explain(e, at, format());
        }
    }

    protected void note(String line) {
        notes.add(line);
    }

    @Override
    public List<String> notes() {
        return List.copyOf(notes);
    }

    @Override
    public Map<String, Object> record() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("location", location.toString());
        if (testPath == null) {
            r.put("test_fraction", testFraction);
            r.put("split_seed", splitSeed);
        }
        r.put("options", options.asMap());
        return r;
    }
}
