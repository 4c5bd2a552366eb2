package dev.kindling.data;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * An immutable set of labelled images kept as two compact arrays: one byte per pixel (uint8)
 * and one byte per label, not an object per example, so 60,000 Fashion-MNIST images take
 * 47 MB and a Spark shard caches as a single block.
 *
 * <p>Example {@code i} occupies pixels {@code [i·F, (i+1)·F)} where F = {@link #featureCount()}
 * = channels × height × width, channel-major then row-major, the layout the network's input
 * layer and Conv2D expect. Labels are class indices {@code 0 ≤ label < classes}.
 *
 * <p>Nothing changes the arrays once a dataset holds them, so datasets may share them: the
 * constructor copies what it is given, {@link #adopt} takes arrays over instead, and
 * {@link #withClasses} shares its arrays. Read without copying through {@link #pixel},
 * {@link #label}, {@link #copyPixels} and {@link #copyLabels}; {@link #pixels()} and
 * {@link #labels()} copy everything.
 *
 * <p>Serializable so Spark can ship and cache shards; deserialisation re-runs the constructor's
 * checks.
 */
public final class Dataset implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The number of classes of MNIST and Fashion-MNIST, used when none is given. */
    public static final int DEFAULT_CLASSES = 10;
    /** Labels are stored as unsigned bytes. */
    public static final int MAX_CLASSES = 256;

    /** Whether {@link PixelsVector} can load; without the module the table does it all. */
    private static final boolean VECTOR_API = Backends.isVectorApiPresent();

    /** pixel / 255f for every byte value, so normalising is one table load per pixel. */
    private static final float[] SCALE = new float[256];
    /** Rows read ahead by {@link #touch}: the only distance measured, four rows' misses in flight. */
    private static final int READ_AHEAD = 4;
    private static final int CACHE_LINE = 64;

    static {
        for (int v = 0; v < SCALE.length; v++) {
            SCALE[v] = v / 255f;
        }
    }

    private final String source;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;
    private final byte[] pixels;
    private final byte[] labels;
    private transient int readAhead;
    /** Where the labels came from (the labels file of IDX data), for a message about a label. */
    private final String labelSource;

    /**
     * Builds a dataset from copies of {@code pixels} and {@code labels}; {@code labels.length}
     * is the number of examples.
     *
     * @param source where the data came from, for error messages
     * @throws KindlingException if the shape or number of classes is out of range, the pixel
     *                           count does not match, or a label is not below {@code classes}
     */
    public Dataset(String source, int channels, int height, int width, int classes, byte[] pixels, byte[] labels) {
        this(source, channels, height, width, classes, pixels.clone(), labels.clone(), source, null);
    }

    /**
     * Builds a dataset that keeps {@code pixels} and {@code labels} instead of copying them, for
     * a caller that has just filled them (a decoder, a concatenation), so a whole data set is not
     * held twice. Checked as the constructor checks.
     *
     * <p>The arrays pass to the dataset: the caller must not change them afterwards, since
     * every dataset relies on its examples never changing (and may share them).
     *
     * @throws KindlingException as the constructor
     */
    public static Dataset adopt(String source, int channels, int height, int width, int classes, byte[] pixels,
                                byte[] labels) {
        return new Dataset(source, channels, height, width, classes, Objects.requireNonNull(pixels, "pixels"),
                Objects.requireNonNull(labels, "labels"), source, null);
    }

    /**
     * Takes the arrays as they are; callers pass arrays nobody else holds or nobody changes.
     * {@code countedBy}, where given, says where the class count comes from, for the message
     * about a label not below it.
     */
    private Dataset(String source, int channels, int height, int width, int classes,
                    byte[] pixels, byte[] labels, String labelSource, String countedBy) {
        this.source = Objects.requireNonNull(source, "source");
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.pixels = pixels;
        this.labels = labels;
        this.labelSource = labelSource;
        validate(countedBy);
    }

    /** A dataset of {@link #DEFAULT_CLASSES} classes from an images file and a labels file. */
    public static Dataset fromIdx(IdxFile images, IdxFile labels) {
        return fromIdx(images, labels, DEFAULT_CLASSES);
    }

    /**
     * A dataset from a 3-dimensional images file (count × height × width, one channel) and a
     * 1-dimensional labels file with the same count.
     *
     * @throws KindlingException if the ranks or counts disagree or a label is out of range
     */
    public static Dataset fromIdx(IdxFile images, IdxFile labels, int classes) {
        if (images.rank() != 3) {
            throw new KindlingException(String.format(
                    "%s: an images file has 3 dimensions (count x height x width), but this one has %d (%s)",
                    images.source(), images.rank(), IdxParser.describe(images.dimensions())));
        }
        if (labels.rank() != 1) {
            throw new KindlingException(String.format(
                    "%s: a labels file has 1 dimension (count), but this one has %d (%s)",
                    labels.source(), labels.rank(), IdxParser.describe(labels.dimensions())));
        }
        if (images.dimension(0) != labels.dimension(0)) {
            throw new KindlingException(String.format("%s holds %d images but %s holds %d labels",
                    images.source(), images.dimension(0), labels.source(), labels.dimension(0)));
        }
        return new Dataset(images.source(), 1, images.dimension(1), images.dimension(2), classes,
                images.sharedData(), labels.sharedData(), labels.source(), null);
    }

    /** Reads an images file and a labels file (raw or gzip) as a {@link #DEFAULT_CLASSES}-class dataset. */
    public static Dataset read(Path images, Path labels) {
        return read(images, labels, DEFAULT_CLASSES);
    }

    /**
     * Reads an images file and a labels file, raw or gzip.
     *
     * @throws KindlingException if either file is missing or malformed, or they do not match
     */
    public static Dataset read(Path images, Path labels, int classes) {
        return fromIdx(IdxFile.read(images, 3), IdxFile.read(labels, 1), classes);
    }

    /** Where the data came from (the images file, for data read from IDX). */
    public String source() {
        return source;
    }

    /** The number of examples. */
    public int size() {
        return labels.length;
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

    /** The number of classes: every label is below it, and one-hot rows have this length. */
    public int classes() {
        return classes;
    }

    /** Inputs per example: channels × height × width. */
    public int featureCount() {
        return channels * height * width;
    }

    /** The class of example {@code i}. */
    public int label(int i) {
        return labels[i] & 0xFF;
    }

    /** Pixel {@code feature} of example {@code i}, 0 to 255. */
    public int pixel(int i, int feature) {
        Objects.checkIndex(i, size());
        Objects.checkIndex(feature, featureCount());
        return pixels[i * featureCount() + feature] & 0xFF;
    }

    /** How many examples each class has; index = class. */
    public int[] labelCounts() {
        int[] counts = new int[classes];
        for (byte label : labels) {
            counts[label & 0xFF]++;
        }
        return counts;
    }

    /**
     * The pixels of examples {@code [from, to)}, example after example, copied into
     * {@code dst} from {@code offset} on: a read of part of the data without copying the rest.
     */
    public void copyPixels(int from, int to, byte[] dst, int offset) {
        Objects.checkFromToIndex(from, to, size());
        int features = featureCount();
        int length = (to - from) * features;
        Objects.checkFromIndexSize(offset, length, dst.length);
        System.arraycopy(pixels, from * features, dst, offset, length);
    }

    /** The labels of examples {@code [from, to)}, copied into {@code dst} from {@code offset} on. */
    public void copyLabels(int from, int to, byte[] dst, int offset) {
        Objects.checkFromToIndex(from, to, size());
        Objects.checkFromIndexSize(offset, to - from, dst.length);
        System.arraycopy(labels, from, dst, offset, to - from);
    }

    /**
     * The same examples counted as {@code classes} classes, e.g. widened to a network's outputs
     * (the width of its one-hot targets). The two datasets share the examples, which neither
     * changes; {@code this} when the count is already {@code classes}.
     *
     * @throws KindlingException if {@code classes} is out of range or a label is not below it
     */
    public Dataset withClasses(int classes) {
        return withClasses(classes, null);
    }

    /**
     * {@link #withClasses(int)}, where {@code countedBy} says where the count comes from (e.g.
     * "the network's outputs"); a label not below it is refused naming the labels' source, the
     * index, the label and {@code countedBy}.
     */
    public Dataset withClasses(int classes, String countedBy) {
        return classes == this.classes ? this
                : new Dataset(source, channels, height, width, classes, pixels, labels, labelSource, countedBy);
    }

    /**
     * Per channel, the sum of every pixel value and of their squares over all examples:
     * {@code {sums, squares}}, exact (what {@code normalize: auto} is computed from, the same
     * whatever order shards are added in).
     */
    public long[][] channelSums() {
        long[] sums = new long[channels];
        long[] squares = new long[channels];
        int area = height * width;
        int features = featureCount();
        int n = size();
        for (int c = 0; c < channels; c++) {
            long s = 0;
            long q = 0;
            for (int i = 0; i < n; i++) {
                int from = i * features + c * area;
                for (int k = from; k < from + area; k++) {
                    int v = pixels[k] & 0xFF;
                    s += v;
                    q += v * v;
                }
            }
            sums[c] = s;
            squares[c] = q;
        }
        return new long[][] {sums, squares};
    }

    /** All pixels, example after example (a copy). */
    public byte[] pixels() {
        return pixels.clone();
    }

    /** All labels (a copy). */
    public byte[] labels() {
        return labels.clone();
    }

    /** Examples {@code [from, to)}, copied so the rest can be freed. */
    public Dataset subset(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        int features = featureCount();
        return new Dataset(source, channels, height, width, classes,
                Arrays.copyOfRange(pixels, from * features, to * features),
                Arrays.copyOfRange(labels, from, to), labelSource, null);
    }

    /** The examples at {@code indices}, in that order; an index may repeat. */
    public Dataset select(int[] indices) {
        int features = featureCount();
        byte[] chosenPixels = new byte[Math.multiplyExact(indices.length, features)];
        byte[] chosenLabels = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = checkExample(indices[k], k);
            System.arraycopy(pixels, i * features, chosenPixels, k * features, features);
            chosenLabels[k] = labels[i];
        }
        return new Dataset(source, channels, height, width, classes, chosenPixels, chosenLabels, labelSource, null);
    }

    /**
     * The same examples in a random order fixed by {@code seed}. The order is the same on every
     * JVM ({@link Random}'s algorithm is specified), so runs can be reproduced elsewhere.
     */
    public Dataset shuffled(long seed) {
        return select(permutation(size(), seed));
    }

    /**
     * Splits the examples at random, fixed by {@code seed}, into a dataset of
     * {@code firstSize} examples (element 0) and one of the rest (element 1), e.g. training
     * and validation sets. The two never share an example.
     */
    public Dataset[] split(int firstSize, long seed) {
        if (firstSize < 0 || firstSize > size()) {
            throw new KindlingException(String.format(
                    "%s: cannot split off %d examples from %d", source, firstSize, size()));
        }
        int[] order = permutation(size(), seed);
        return new Dataset[] {
            select(Arrays.copyOfRange(order, 0, firstSize)),
            select(Arrays.copyOfRange(order, firstSize, order.length))
        };
    }

    /** {@link #fillBatch(int[], int, int, float[], float[], int[])} for examples {@code [from, to)} in order. */
    public void fillBatch(int from, int to, float[] x, float[] oneHot, int[] labels) {
        Objects.checkFromToIndex(from, to, size());
        fill(null, from, to, x, oneHot, labels);
    }

    /**
     * Writes the examples {@code order[from..to)} as one mini-batch, without allocating:
     * row b of {@code x} (batch × featureCount, row-major) gets example {@code order[from + b]}
     * with every pixel divided by 255, row b of {@code oneHot} (batch × classes) its one-hot
     * target and {@code labels[b]} its class. The arrays may be longer than needed (a reused
     * buffer sized for the largest batch); {@code oneHot} or {@code labels} may be null when
     * not wanted.
     */
    public void fillBatch(int[] order, int from, int to, float[] x, float[] oneHot, int[] labels) {
        Objects.checkFromToIndex(from, to, order.length);
        fill(order, from, to, x, oneHot, labels);
    }

    private void fill(int[] order, int from, int to, float[] x, float[] oneHot, int[] labelsOut) {
        int batch = to - from;
        int features = featureCount();
        checkCapacity("x", x.length, batch, features);
        if (oneHot != null) {
            checkCapacity("oneHot", oneHot.length, batch, classes);
        }
        if (labelsOut != null) {
            checkCapacity("labels", labelsOut.length, batch, 1);
        }
        int touched = 0;
        for (int b = 0; b < batch; b++) {
            int i = order == null ? from + b : checkExample(order[from + b], from + b);
            int src = i * features;
            int dst = b * features;
            if (order != null && b + READ_AHEAD < batch) {
                touched += touch(checkExample(order[from + b + READ_AHEAD], from + b + READ_AHEAD) * features,
                        features);
            }
            int f = VECTOR_API ? PixelsVector.scale(pixels, src, x, dst, features) : 0;
            for (; f < features; f++) {
                x[dst + f] = SCALE[pixels[src + f] & 0xFF];
            }
            int label = labels[i] & 0xFF;
            if (oneHot != null) {
                int row = b * classes;
                Arrays.fill(oneHot, row, row + classes, 0f);
                oneHot[row + label] = 1f;
            }
            if (labelsOut != null) {
                labelsOut[b] = label;
            }
        }
        readAhead = touched; // kept, or the JIT would drop the loads as unused
    }

    /**
     * Reads one byte of every cache line of the example at {@code src}, a few rows before it is
     * scaled: the rows of a shuffled batch lie far apart, mostly outside every cache, and these
     * loads, which nothing waits on, start their misses early, as a prefetch would. Scaling a
     * shuffled batch of 100 Fashion-MNIST rows took about half the time with them in a
     * microbenchmark (12-18 against 25-40 µs, on a loaded machine); in the MLP's profile the batch
     * fill fell to 8% of the step (BENCHMARKS.md).
     */
    private int touch(int src, int features) {
        int sum = 0;
        for (int f = 0; f < features; f += CACHE_LINE) {
            sum += pixels[src + f];
        }
        return sum;
    }

    private static void checkCapacity(String name, int length, int batch, int perExample) {
        long needed = (long) batch * perExample;
        if (length < needed) {
            throw new IllegalArgumentException(String.format(
                    "%s holds %d values; a batch of %d examples needs %d", name, length, batch, needed));
        }
    }

    private int checkExample(int i, int position) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException(String.format(
                    "example index %d at position %d is out of range for %d examples", i, position, size()));
        }
        return i;
    }

    /** The order {@link #shuffled} and {@link #split} take {@code n} examples in, for {@code seed}. */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private void validate(String countedBy) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new KindlingException(String.format(
                    "%s: bad example shape %d x %d x %d (channels x height x width must each be at least 1)",
                    source, channels, height, width));
        }
        if (classes < 1 || classes > MAX_CLASSES) {
            throw new KindlingException(String.format(
                    "%s: %d classes is out of range (1 to %d)", source, classes, MAX_CLASSES));
        }
        long features = (long) channels * height;
        features = features > IdxFile.MAX_LENGTH ? features : features * width;
        if (features > IdxFile.MAX_LENGTH) {
            throw new KindlingException(String.format(
                    "%s: example shape %d x %d x %d has more pixels than fit in one array",
                    source, channels, height, width));
        }
        long expected = features * labels.length;
        if (pixels.length != expected) {
            throw new KindlingException(String.format(
                    "%s: %d pixel bytes do not make %d examples of %d x %d x %d (expected %d)",
                    source, pixels.length, labels.length, channels, height, width, expected));
        }
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xFF;
            if (label >= classes) {
                throw new KindlingException(String.format(
                        "%s: label %d at index %d is out of range for %d classes (0 to %d%s)",
                        labelSource == null ? source : labelSource, label, i, classes, classes - 1,
                        countedBy == null ? "" : ", " + countedBy));
            }
        }
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (source == null || pixels == null || labels == null) {
            throw new InvalidObjectException("a serialized Dataset is missing its source or data");
        }
        validate(null);
    }

    @Override
    public String toString() {
        return String.format("Dataset[%d examples of %d x %d x %d, %d classes, from %s]",
                size(), channels, height, width, classes, source);
    }
}
