package dev.kindling.spark.data;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxFile;
import dev.kindling.spark.runtime.SparkErrors;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads ranges of examples from a raw (uncompressed) IDX images file and its labels file where a
 * task runs, so that no example passes through the driver: the records have a fixed size after
 * the header, so record i sits at a known offset. The driver reads the headers and checks the
 * files' lengths against them ({@link #open}); each task seeks to its range and checks its
 * labels against the class count, naming the labels file, the example's index and its label.
 */
public final class IdxRanges implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String images;
    private final String labels;
    private final Map<String, String> hadoop;
    private final int count;
    private final int height;
    private final int width;
    private final long imagesOffset;
    private final long labelsOffset;

    private IdxRanges(String images, String labels, Map<String, String> hadoop, int count, int height, int width,
                      long imagesOffset, long labelsOffset) {
        this.images = images;
        this.labels = labels;
        this.hadoop = hadoop;
        this.count = count;
        this.height = height;
        this.width = width;
        this.imagesOffset = imagesOffset;
        this.labelsOffset = labelsOffset;
    }

    /**
     * The ranges of two raw IDX files, their headers checked and their lengths matched to them
     * (a file cut short or with bytes after its records is refused here, as a whole read would).
     *
     * @param hadoop the settings executors open the files with (the {@code spark.hadoop.*} ones)
     */
    static IdxRanges open(FileSystem fs, Path images, Path labels, Map<String, String> hadoop) {
        IdxFile.Header im = header(fs, images, 3);
        IdxFile.Header lb = header(fs, labels, 1);
        if (im.count() != lb.count()) {
            throw new KindlingException(String.format("%s holds %d images but %s holds %d labels", images,
                    im.count(), labels, lb.count()));
        }
        checkLength(fs, images, im);
        checkLength(fs, labels, lb);
        return new IdxRanges(images.toString(), labels.toString(), hadoop, im.count(), im.dimensions()[1],
                im.dimensions()[2], im.dataOffset(), lb.dataOffset());
    }

    /** Whether {@code file} is raw (its records can be read by range) rather than gzip. */
    static boolean raw(FileSystem fs, Path file) {
        return !header(fs, file, IdxFile.ANY_RANK).gzip();
    }

    static IdxFile.Header header(FileSystem fs, Path file, int rank) {
        try (FSDataInputStream in = fs.open(file)) {
            return IdxFile.header(in, file.toString(), rank);
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot read: " + SparkErrors.firstLine(e), e);
        }
    }

    private static void checkLength(FileSystem fs, Path file, IdxFile.Header h) {
        long expected = h.dataOffset() + (long) h.count() * h.recordBytes();
        long actual;
        try {
            actual = fs.getFileStatus(file).getLen();
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot read: " + SparkErrors.firstLine(e), e);
        }
        if (actual < expected) {
            throw new KindlingException(String.format("%s: truncated: the header promises %d records of %d bytes "
                    + "(%d bytes in all) but the file ends after %d", file, h.count(), h.recordBytes(), expected,
                    actual));
        }
        if (actual > expected) {
            throw new KindlingException(String.format("%s: trailing garbage: %d bytes after the %d bytes the header "
                    + "promises", file, actual - expected, expected));
        }
    }

    public int count() {
        return count;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public String images() {
        return images;
    }

    public String labels() {
        return labels;
    }

    /**
     * Examples {@code [from, to)} as one dataset of {@code outputs} classes (the network's
     * one-hot width); a label at or above {@code classes} is refused naming the labels file, the
     * example's index in the file and the label ({@code countedBy} says where the class count
     * came from).
     */
    public Dataset read(int from, int to, int classes, String countedBy, int outputs) {
        int n = to - from;
        int record = height * width;
        byte[] pixels = new byte[n * record];
        byte[] labelBytes = new byte[n];
        Configuration conf = new Configuration();
        hadoop.forEach(conf::set);
        readAt(conf, images, imagesOffset + (long) from * record, pixels);
        readAt(conf, labels, labelsOffset + from, labelBytes);
        for (int i = 0; i < n; i++) {
            int label = labelBytes[i] & 0xFF;
            if (label >= classes) {
                throw new KindlingException(String.format("%s: label %d at index %d is out of range for %d classes "
                        + "(0 to %d, %s)", labels, label, from + i, classes, classes - 1, countedBy));
            }
        }
        return Dataset.adopt(images, 1, height, width, outputs, pixels, labelBytes);
    }

    private static void readAt(Configuration conf, String file, long offset, byte[] into) {
        Path path = new Path(file);
        try (FSDataInputStream in = path.getFileSystem(conf).open(path)) {
            in.readFully(offset, into);
        } catch (EOFException e) {
            throw new KindlingException(file + ": truncated: the file ends before the " + into.length
                    + " bytes at offset " + offset + " (it changed since the job started?)", e);
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot read: " + SparkErrors.firstLine(e), e);
        }
    }

    /** A reader of this file pair's ranges, as {@link #read} reads them. */
    public RangeReader reader(int classes, String countedBy, int outputs) {
        return new Reader(this, classes, countedBy, outputs);
    }

    /** A named class, not a lambda: Spark serializes it into each task. */
    private record Reader(IdxRanges ranges, int classes, String countedBy, int outputs) implements RangeReader {
        @Override
        public Dataset read(int from, int to) {
            return ranges.read(from, to, classes, countedBy, outputs);
        }
    }
}
