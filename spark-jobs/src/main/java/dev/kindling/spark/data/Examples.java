package dev.kindling.spark.data;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.storage.StorageLevel;

/**
 * A data set that lives on the executors: {@link #count} examples, each with its index in a fixed
 * order (file, then row: the same data gives the same order, whatever the partitioning), of one
 * shape. The driver holds only this description, never the examples; what runs on them (the
 * shards of a training, an evaluation, predictions) runs where they lie.
 *
 * <p>Two forms: examples a task reads by range straight from their source (raw IDX files: the
 * shards read their ranges, no shuffle), or examples already decoded into an RDD of
 * {@link Example}s (Parquet, image folders, gzip IDX, a DataFrame's rows), which the shards
 * gather by index with one shuffle. Splitting, sampling and concatenating renumber the examples
 * on the executors.
 */
public final class Examples {
    private final JavaSparkContext sc;
    /** The decoded examples; null where they are read by range. */
    private final JavaRDD<Example> rdd;
    /** The source that tasks read ranges of; null for decoded examples. */
    private final IdxRanges ranges;
    private final int count;
    private final int channels;
    private final int height;
    private final int width;
    /** Labels are below this; null where no count is known before the labels are read (IDX without the option). */
    private final Integer classes;
    /** Where {@link #classes} comes from, for the message about a label not below it. */
    private final String countedBy;
    /** The one-hot width, the network's outputs once {@link #fitted}; else null. */
    private final Integer outputs;
    private final String source;
    /** Where the labels come from, where they have a file of their own (IDX); else the source. */
    private final String labelSource;
    /** Whether each example names its file (sources whose examples are files of their own). */
    private final boolean withFiles;
    /** RDDs this data set persisted while it was read, unpersisted by {@link #release}. */
    private final List<JavaRDD<?>> cached;

    private Examples(JavaSparkContext sc, JavaRDD<Example> rdd, IdxRanges ranges, int count, int channels,
                     int height, int width, Integer classes, String countedBy, Integer outputs, String source,
                     String labelSource, boolean withFiles, List<JavaRDD<?>> cached) {
        this.sc = sc;
        this.rdd = rdd;
        this.ranges = ranges;
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.countedBy = countedBy;
        this.outputs = outputs;
        this.source = source;
        this.withFiles = withFiles;
        this.cached = cached;
        this.labelSource = labelSource;
    }

    /** Examples that tasks read by range from a raw IDX file pair. */
    static Examples ranged(JavaSparkContext sc, IdxRanges ranges, Integer classes, String countedBy) {
        return new Examples(sc, null, ranges, ranges.count(), 1, ranges.height(), ranges.width(), classes, countedBy,
                null, ranges.images(), ranges.labels(), false, List.of());
    }

    /**
     * Decoded examples, indexed 0 to {@code count - 1}.
     *
     * @param cached RDDs persisted to build {@code rdd}, to unpersist with the examples
     */
    static Examples decoded(JavaSparkContext sc, JavaRDD<Example> rdd, int count, int channels, int height, int width,
                            Integer classes, String countedBy, String source, boolean withFiles,
                            List<JavaRDD<?>> cached) {
        return new Examples(sc, rdd, null, count, channels, height, width, classes, countedBy, null, source, source,
                withFiles, cached);
    }

    /**
     * Examples decoded into {@code blocks}, datasets of {@code channels x height x width}
     * examples, numbered in the RDD's order: partition by partition, each in its own order (as
     * {@code zipWithIndex} numbers), so the same RDD gives the same numbering. One small job
     * counts each partition's examples and finds the largest label, whose successor is the class
     * count; the blocks stay cached, spilling to disk, until the examples are released, so that
     * a task reading them again finds the numbering unchanged.
     *
     * @throws org.apache.spark.SparkException (unchecked) where that job fails, e.g. a block that
     *                                         cannot be decoded
     */
    public static Examples numbered(JavaSparkContext sc, JavaRDD<Dataset> blocks, int channels, int height,
                                    int width, String source) {
        blocks.persist(StorageLevel.MEMORY_AND_DISK());
        List<long[]> sizes;
        try {
            sizes = blocks.mapPartitions(new SizeAndLargestLabel()).collect();
        } catch (RuntimeException e) {
            blocks.unpersist(false);
            throw e;
        }
        long count = 0;
        int largest = -1;
        for (long[] s : sizes) {
            count += s[0];
            largest = Math.max(largest, (int) s[1]);
        }
        if (count > Integer.MAX_VALUE) {
            blocks.unpersist(false);
            throw new KindlingException(String.format("%s: %,d examples, more than the %,d a data set may hold",
                    source, count, Integer.MAX_VALUE));
        }
        int[] firsts = new int[sizes.size()];
        for (int p = 1; p < firsts.length; p++) {
            firsts[p] = firsts[p - 1] + (int) sizes.get(p - 1)[0];
        }
        return new Examples(sc, blocks.mapPartitionsWithIndex(new NumberBlocks(firsts), true), null, (int) count,
                channels, height, width, largest < 0 ? null : largest + 1, "the largest label + 1", null, source,
                source, false, List.of(blocks));
    }

    /**
     * The examples of a dataset held in memory, parallelized as they are; for data a program has
     * in hand already (a benchmark's sample), not for a source.
     */
    public static Examples of(JavaSparkContext sc, Dataset d) {
        return new Examples(sc, sc.parallelize(Example.all(d, 0), Math.max(1, Math.min(d.size(), sc.defaultParallelism()))), null,
                d.size(), d.channels(), d.height(), d.width(), d.classes(), "the data's classes", d.classes(),
                d.source(), d.source(), false, List.of());
    }

    /** These examples, with their labels named as coming from {@code file} in messages. */
    Examples labelledBy(String file) {
        return new Examples(sc, rdd, ranges, count, channels, height, width, classes, countedBy, outputs, source, file,
                withFiles, cached);
    }

    private Examples with(JavaRDD<Example> newRdd, int newCount) {
        return new Examples(sc, newRdd, null, newCount, channels, height, width, classes, countedBy, outputs, source,
                labelSource, withFiles, cached);
    }

    public int count() {
        return count;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int features() {
        return channels * height * width;
    }

    /** The pixel bytes of all examples: what the shards of this data set hold. */
    public long bytes() {
        return (long) count * features();
    }

    public Shape shape() {
        return new Shape(channels, height, width);
    }

    /** The source's location, for messages and as the shards' name for their data. */
    public String source() {
        return source;
    }

    /** The class count the data gives (an option, the class folders, the largest label + 1); null where unknown. */
    public Integer classes() {
        return classes;
    }

    /** The one-hot width the examples are fitted to; null before {@link #fitted}. */
    public Integer outputs() {
        return outputs;
    }

    /** Whether each example names its file (image folders): predictions then name it. */
    public boolean withFiles() {
        return withFiles;
    }

    /** Whether tasks read these examples by range from their source (no shuffle to gather them by index). */
    public boolean ranged() {
        return ranges != null;
    }

    /**
     * What reads ranges of these examples where a task runs, each range as one dataset; only for
     * {@link #ranged} examples that are {@link #fitted}.
     */
    public RangeReader reader() {
        return ranges.reader(limit(), countedByNow(), outputs);
    }

    /**
     * These examples for a network: their shape must fit its input and their classes its
     * outputs, which become the one-hot width. Where the class count is not known yet, a label
     * at or beyond the outputs is refused where it is read, naming the source, index and label.
     */
    public Examples fitted(NetworkSpec spec, int networkOutputs) {
        Shape shape = shape();
        if (!spec.accepts(shape)) {
            throw new KindlingException(source + ": examples of shape " + shape + " do not fit the network's input "
                    + spec.input());
        }
        if (classes != null && classes > networkOutputs) {
            throw new KindlingException(source + ": " + classes + " classes, but the network has " + networkOutputs
                    + " outputs");
        }
        JavaRDD<Example> checked = rdd == null || classes != null ? rdd
                : rdd.map(new LabelCheck(labelSource, networkOutputs, "the network's outputs"));
        return new Examples(sc, checked, ranges, count, channels, height, width, classes, countedBy, networkOutputs,
                source, labelSource, withFiles, cached);
    }

    /** What a label must be below: the data's class count, else the network's outputs, else any label. */
    private int limit() {
        return classes != null ? classes : outputs != null ? outputs : Dataset.MAX_CLASSES;
    }

    private String countedByNow() {
        return classes != null ? countedBy : outputs != null ? "the network's outputs" : "any class index";
    }

    /** The first {@code n} examples (all of them where there are fewer). */
    public Examples limit(int n) {
        int kept = Math.min(n, count);
        if (kept == count) {
            return this;
        }
        if (ranges != null) {
            return new Examples(sc, null, ranges, kept, channels, height, width, classes, countedBy, outputs, source,
                    labelSource, withFiles, cached);
        }
        return with(rdd.filter(new Below(kept)), kept);
    }

    /**
     * Splits the examples at random, fixed by {@code seed}, into {@code firstSize} examples
     * (element 0) and the rest (element 1), exactly as {@link Dataset#split} splits a dataset
     * held whole, each part numbered in the order that split gives it.
     */
    public Examples[] split(int firstSize, long seed) {
        if (firstSize < 0 || firstSize > count) {
            throw new KindlingException(String.format("%s: cannot split off %d examples from %d", source, firstSize,
                    count));
        }
        JavaRDD<Example> all = rdd();
        return new Examples[] {
            with(all.mapPartitions(new Renumber(count, seed, 0, firstSize)), firstSize),
            with(all.mapPartitions(new Renumber(count, seed, firstSize, count)), count - firstSize)
        };
    }

    /** {@code wanted} examples drawn at random, fixed by {@code seed}: the first part of {@link #split}. */
    public Examples sample(int wanted, long seed) {
        return split(wanted, seed)[0];
    }

    /** These examples, then {@code after}'s (numbered on from {@link #count}); both of one shape. */
    public Examples concat(Examples after) {
        if (after.channels != channels || after.height != height || after.width != width) {
            throw new KindlingException(after.source + ": examples of shape " + after.shape() + " cannot join those of "
                    + source + ", of shape " + shape());
        }
        if (!java.util.Objects.equals(outputs, after.outputs)) {
            throw new IllegalStateException("examples fitted to different networks");
        }
        List<JavaRDD<?>> both = new ArrayList<>(cached);
        both.addAll(after.cached);
        Integer joined = classes == null || after.classes == null ? null : Math.max(classes, after.classes);
        return new Examples(sc, rdd().union(after.rdd().map(new Shift(count))), null, count + after.count, channels,
                height, width, joined, countedBy, outputs, source, labelSource,
                withFiles && after.withFiles, both);
    }

    /**
     * The examples as an RDD (for ranged ones, read in one range per default-parallelism task),
     * each example's pixels one plane per channel.
     */
    public JavaRDD<Example> rdd() {
        if (rdd != null) {
            return rdd;
        }
        int tasks = Math.max(1, Math.min(count, sc.defaultParallelism()));
        List<Integer> parts = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            parts.add(t);
        }
        return sc.parallelize(parts, tasks).flatMap(new ReadRange(this.ranges, count, tasks, limit(), countedByNow(),
                outputs != null ? outputs : limit()));
    }

    /**
     * The examples gathered into one dataset on the driver, for small data only (a sweep's task
     * mode): the caller weighs {@link #bytes} against the driver's memory first.
     */
    public Dataset collect() {
        List<Example> all = new ArrayList<>(rdd().collect());
        all.sort(Comparator.comparingInt(e -> e.index));
        return dataset(all, 0, source, channels, height, width, outputs != null ? outputs : limit());
    }

    /** Unpersists what was cached to read these examples (the shards built from them keep their own copy). */
    public void release() {
        for (JavaRDD<?> r : cached) {
            r.unpersist(false);
        }
    }

    /**
     * Examples {@code first, first + 1, ...} (given in index order) as one dataset of
     * {@code classes} classes.
     */
    public static Dataset dataset(List<Example> inOrder, int first, String source, int channels, int height,
                                  int width, int classes) {
        int features = channels * height * width;
        int n = inOrder.size();
        byte[] pixels = new byte[Math.multiplyExact(n, features)];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            Example e = inOrder.get(i);
            if (e.index != first + i) {
                throw new IllegalStateException("example " + (first + i) + " of " + source + " is missing (found "
                        + e.index + ")");
            }
            System.arraycopy(e.pixels, 0, pixels, i * features, features);
            labels[i] = (byte) e.label;
        }
        return Dataset.adopt(source, channels, height, width, classes, pixels, labels);
    }

    /** Keeps the examples below an index. */
    private record Below(int n) implements Function<Example, Boolean> {
        @Override
        public Boolean call(Example e) {
            return e.index < n;
        }
    }

    /** Adds an offset to each index. */
    private record Shift(int by) implements Function<Example, Example> {
        @Override
        public Example call(Example e) {
            return new Example(e.index + by, e.label, e.pixels, e.file);
        }
    }

    /** Refuses a label at or above a class count, naming the source, the example's index and the label. */
    private record LabelCheck(String source, int classes, String countedBy) implements Function<Example, Example> {
        @Override
        public Example call(Example e) {
            if (e.label >= classes) {
                throw new KindlingException(String.format("%s: label %d at index %d is out of range for %d classes "
                        + "(0 to %d, %s)", source, e.label, e.index, classes, classes - 1, countedBy));
            }
            return e;
        }
    }

    /**
     * Keeps the examples whose place in the seeded permutation of all {@code count} falls in
     * {@code [from, to)}, numbered by that place less {@code from}: the permutation is drawn on
     * each executor (once per JVM), never on the driver.
     */
    private record Renumber(int count, long seed, int from, int to)
            implements FlatMapFunction<java.util.Iterator<Example>, Example> {
        @Override
        public java.util.Iterator<Example> call(java.util.Iterator<Example> examples) {
            int[] places = Permutations.places(count, seed);
            List<Example> kept = new ArrayList<>();
            while (examples.hasNext()) {
                Example e = examples.next();
                int place = places[e.index];
                if (place >= from && place < to) {
                    kept.add(new Example(place - from, e.label, e.pixels, e.file));
                }
            }
            return kept.iterator();
        }
    }

    /** A partition's example count and largest label (-1 where it has none). */
    private static final class SizeAndLargestLabel implements FlatMapFunction<java.util.Iterator<Dataset>, long[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public java.util.Iterator<long[]> call(java.util.Iterator<Dataset> blocks) {
            long size = 0;
            int largest = -1;
            while (blocks.hasNext()) {
                Dataset d = blocks.next();
                size += d.size();
                for (int i = 0; i < d.size(); i++) {
                    largest = Math.max(largest, d.label(i));
                }
            }
            return List.of(new long[] {size, largest}).iterator();
        }
    }

    /** Turns partition p's blocks into examples numbered from {@code firsts[p]}, one at a time. */
    private record NumberBlocks(int[] firsts)
            implements Function2<Integer, java.util.Iterator<Dataset>, java.util.Iterator<Example>> {
        @Override
        public java.util.Iterator<Example> call(Integer p, java.util.Iterator<Dataset> blocks) {
            return new java.util.Iterator<>() {
                private Dataset block;
                private int next;
                private int index = firsts[p];

                @Override
                public boolean hasNext() {
                    while ((block == null || next == block.size()) && blocks.hasNext()) {
                        block = blocks.next();
                        next = 0;
                    }
                    return block != null && next < block.size();
                }

                @Override
                public Example next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    byte[] pixels = new byte[block.featureCount()];
                    block.copyPixels(next, next + 1, pixels, 0);
                    return new Example(index++, block.label(next++), pixels, null);
                }
            };
        }
    }

    /** Reads range {@code t} of {@code tasks} of a raw IDX pair into examples. */
    private record ReadRange(IdxRanges ranges, int count, int tasks, int classes, String countedBy, int outputs)
            implements FlatMapFunction<Integer, Example> {
        @Override
        public java.util.Iterator<Example> call(Integer t) {
            int from = (int) ((long) count * t / tasks);
            int to = (int) ((long) count * (t + 1) / tasks);
            return Example.all(ranges.read(from, to, classes, countedBy, outputs), from).iterator();
        }
    }
}
