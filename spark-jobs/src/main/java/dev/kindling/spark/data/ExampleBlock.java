package dev.kindling.spark.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The examples of one Spark partition as a table source decoded them on the executor: labels,
 * pixel bytes (any length per example) and, per example, the file and row they came from, so
 * the driver can put every example in a fixed order (file, then row) whatever the partitioning,
 * and name the file and row of a bad one. A few compact arrays, not an object per example.
 */
public final class ExampleBlock {
    final String[] files;
    /** Per example: index into {@link #files}. */
    final int[] file;
    /** Per example: the row within its file (0 for a file holding one image). */
    final long[] row;
    final int[] labels;
    /** Example i's pixels are {@code pixels[offsets[i], offsets[i+1])}. */
    final int[] offsets;
    final byte[] pixels;
    /** Per example (channels, height, width), or null where the source knows only lengths. */
    final int[] shapes;
    /** Files left out (not images, with {@code invalid-images=skip}); the first of them by name. */
    final int skipped;
    final String firstSkipped;

    ExampleBlock(String[] files, int[] file, long[] row, int[] labels, int[] offsets, byte[] pixels, int[] shapes,
                 int skipped, String firstSkipped) {
        this.files = files;
        this.file = file;
        this.row = row;
        this.labels = labels;
        this.offsets = offsets;
        this.pixels = pixels;
        this.shapes = shapes;
        this.skipped = skipped;
        this.firstSkipped = firstSkipped;
    }

    int size() {
        return labels.length;
    }

    /** Collects one partition's examples. */
    static final class Builder {
        private final Map<String, Integer> fileIndex = new HashMap<>();
        private String[] files = new String[4];
        private int[] file = new int[64];
        private long[] row = new long[64];
        private int[] labels = new int[64];
        private int[] offsets = new int[65];
        private byte[] pixels = new byte[1 << 16];
        private int[] shapes;
        private final boolean withShapes;
        private int n;
        private int skipped;
        private String firstSkipped;

        Builder(boolean withShapes) {
            this.withShapes = withShapes;
            this.shapes = withShapes ? new int[3 * 64] : null;
        }

        /** Room for {@code length} more pixel bytes; returns the offset to write them at. */
        int reserve(int length) {
            int at = offsets[n];
            if ((long) at + length > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a partition of more than 2 GiB of pixels; use more partitions");
            }
            if (at + length > pixels.length) {
                pixels = Arrays.copyOf(pixels, Math.max(at + length, (int) Math.min(Integer.MAX_VALUE - 8,
                        2L * pixels.length)));
            }
            return at;
        }

        byte[] pixelBuffer() {
            return pixels;
        }

        /** Adds the example whose {@code length} pixels were written at {@link #reserve}'s offset. */
        void add(String fileName, long rowInFile, int label, int length, int channels, int height, int width) {
            if (n == labels.length) {
                int grown = 2 * n;
                file = Arrays.copyOf(file, grown);
                row = Arrays.copyOf(row, grown);
                labels = Arrays.copyOf(labels, grown);
                offsets = Arrays.copyOf(offsets, grown + 1);
                if (withShapes) {
                    shapes = Arrays.copyOf(shapes, 3 * grown);
                }
            }
            Integer f = fileIndex.get(fileName);
            if (f == null) {
                f = fileIndex.size();
                if (f == files.length) {
                    files = Arrays.copyOf(files, 2 * f);
                }
                files[f] = fileName;
                fileIndex.put(fileName, f);
            }
            file[n] = f;
            row[n] = rowInFile;
            labels[n] = label;
            offsets[n + 1] = offsets[n] + length;
            if (withShapes) {
                shapes[3 * n] = channels;
                shapes[3 * n + 1] = height;
                shapes[3 * n + 2] = width;
            }
            n++;
        }

        void skip(String fileName) {
            skipped++;
            if (firstSkipped == null || fileName.compareTo(firstSkipped) < 0) {
                firstSkipped = fileName;
            }
        }

        ExampleBlock build() {
            return new ExampleBlock(Arrays.copyOf(files, fileIndex.size()), Arrays.copyOf(file, n),
                    Arrays.copyOf(row, n), Arrays.copyOf(labels, n), Arrays.copyOf(offsets, n + 1),
                    Arrays.copyOf(pixels, offsets[n]), withShapes ? Arrays.copyOf(shapes, 3 * n) : null,
                    skipped, firstSkipped);
        }
    }
}
