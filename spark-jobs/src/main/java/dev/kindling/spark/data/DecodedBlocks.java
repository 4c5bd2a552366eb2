package dev.kindling.spark.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * The {@link ExampleBlock}s of a read, left on the executors, and what the driver learns of
 * them: a {@link Summary} of a few numbers per file (never the examples). From it every example
 * gets its index in a fixed order, by file name then row within the file, which does not
 * depend on how Spark split the files into partitions: the same data gives the same data set
 * (and the same seeded run) on any cluster.
 */
final class DecodedBlocks {
    private final JavaRDD<ExampleBlock> blocks;
    private final Summary summary;

    private DecodedBlocks(JavaRDD<ExampleBlock> blocks, Summary summary) {
        this.blocks = blocks;
        this.summary = summary;
    }

    /**
     * Decodes (by running {@code blocks}) and summarizes; the blocks stay cached, spilling to
     * disk, until the examples built from them are released.
     */
    static DecodedBlocks of(JavaRDD<ExampleBlock> blocks) {
        blocks.persist(StorageLevel.MEMORY_AND_DISK());
        Summary all = blocks.map(Summary::of).fold(new Summary(), Summary::merge);
        return new DecodedBlocks(blocks, all);
    }

    int count() {
        return (int) Math.min(Integer.MAX_VALUE, summary.total());
    }

    long total() {
        return summary.total();
    }

    /** The first example in order; null where there is none. */
    Mark first() {
        return summary.first;
    }

    /** The first example in order whose shape or length differs from the first's; null where all agree. */
    Mark firstOther() {
        return summary.other;
    }

    int maxLabel() {
        return summary.maxLabel;
    }

    int skipped() {
        return summary.skipped;
    }

    String firstSkipped() {
        return summary.firstSkipped;
    }

    /**
     * The blocks' examples, numbered in order, as {@code channels x height x width} examples.
     *
     * @param interleaved whether the blocks hold channels interleaved per pixel, to put one
     *                    plane after another
     * @param withFiles   whether each example keeps its file (sources whose examples are files)
     */
    Examples examples(JavaSparkContext sc, int channels, int height, int width, Integer classes, String countedBy,
                      String source, boolean interleaved, boolean withFiles) {
        String[] files = summary.files;
        int[] starts = new int[files.length];
        long next = 0;
        for (int f = 0; f < files.length; f++) {
            if (summary.maxRows[f] + 1 != summary.counts[f]) {
                throw new IllegalStateException(files[f] + ": rows 0 to " + summary.maxRows[f] + " read as "
                        + summary.counts[f] + " rows");
            }
            starts[f] = (int) next;
            next += summary.counts[f];
        }
        Broadcast<String[]> fileNames = sc.broadcast(files);
        Broadcast<int[]> fileStarts = sc.broadcast(starts);
        JavaRDD<Example> examples = blocks.flatMap(new Numbered(fileNames, fileStarts, channels,
                channels * height * width, interleaved, withFiles));
        List<JavaRDD<?>> cached = new ArrayList<>();
        cached.add(blocks);
        return Examples.decoded(sc, examples, count(), channels, height, width, classes, countedBy, source, withFiles,
                cached);
    }

    /** Turns one block into its examples, each numbered by its file's start plus its row. */
    private record Numbered(Broadcast<String[]> files, Broadcast<int[]> starts, int channels, int features,
                            boolean interleaved, boolean withFiles)
            implements FlatMapFunction<ExampleBlock, Example> {
        @Override
        public Iterator<Example> call(ExampleBlock b) {
            String[] names = files.value();
            int[] first = starts.value();
            int[] start = new int[b.files.length];
            for (int f = 0; f < start.length; f++) {
                start[f] = first[Arrays.binarySearch(names, b.files[f])];
            }
            List<Example> out = new ArrayList<>(b.size());
            for (int i = 0; i < b.size(); i++) {
                byte[] pixels = new byte[features];
                if (interleaved) {
                    ParquetSource.toPlanar(b.pixels, b.offsets[i], channels, features / channels, pixels, 0);
                } else {
                    System.arraycopy(b.pixels, b.offsets[i], pixels, 0, features);
                }
                out.add(new Example(start[b.file[i]] + (int) b.row[i], b.labels[i], pixels,
                        withFiles ? b.files[b.file[i]] : null));
            }
            return out.iterator();
        }
    }

    /** An example's place and shape, named in messages. */
    static final class Mark implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        String file;
        long row;
        int channels;
        int height;
        int width;
        int length;

        Mark() {
        }

        Mark(String file, long row, int channels, int height, int width, int length) {
            this.file = file;
            this.row = row;
            this.channels = channels;
            this.height = height;
            this.width = width;
            this.length = length;
        }

        boolean before(Mark o) {
            int c = file.compareTo(o.file);
            return c < 0 || c == 0 && row < o.row;
        }

        boolean sameShape(Mark o) {
            return channels == o.channels && height == o.height && width == o.width && length == o.length;
        }
    }

    /** Rows per file, the largest label, the first example and the first of another shape; merged associatively. */
    static final class Summary implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        String[] files = new String[0];
        long[] counts = new long[0];
        long[] maxRows = new long[0];
        int maxLabel = -1;
        int skipped;
        String firstSkipped;
        Mark first;
        Mark other;

        long total() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }

        static Summary of(ExampleBlock b) {
            Summary s = new Summary();
            TreeMap<String, long[]> perFile = new TreeMap<>();
            for (int i = 0; i < b.size(); i++) {
                long[] c = perFile.computeIfAbsent(b.files[b.file[i]], k -> new long[] {0, -1});
                c[0]++;
                c[1] = Math.max(c[1], b.row[i]);
                s.maxLabel = Math.max(s.maxLabel, b.labels[i]);
                Mark m = b.shapes == null
                        ? new Mark(b.files[b.file[i]], b.row[i], 0, 0, 0, b.offsets[i + 1] - b.offsets[i])
                        : new Mark(b.files[b.file[i]], b.row[i], b.shapes[3 * i], b.shapes[3 * i + 1],
                                b.shapes[3 * i + 2], b.offsets[i + 1] - b.offsets[i]);
                s.add(m);
            }
            s.files = perFile.keySet().toArray(String[]::new);
            s.counts = perFile.values().stream().mapToLong(c -> c[0]).toArray();
            s.maxRows = perFile.values().stream().mapToLong(c -> c[1]).toArray();
            s.skipped = b.skipped;
            s.firstSkipped = b.firstSkipped;
            return s;
        }

        private void add(Mark m) {
            if (m == null) {
                return;
            }
            if (first == null) {
                first = m;
                return;
            }
            Mark oldFirst = first;
            if (m.before(first)) {
                first = m;
            }
            // the earliest example whose shape differs from the (new) first's
            Mark best = null;
            for (Mark c : new Mark[] {oldFirst, other, m}) {
                if (c != null && c != first && !c.sameShape(first) && (best == null || c.before(best))) {
                    best = c;
                }
            }
            other = best;
        }

        static Summary merge(Summary a, Summary b) {
            Summary s = new Summary();
            TreeMap<String, long[]> perFile = new TreeMap<>();
            for (Summary x : new Summary[] {a, b}) {
                for (int f = 0; f < x.files.length; f++) {
                    long[] c = perFile.computeIfAbsent(x.files[f], k -> new long[] {0, -1});
                    c[0] += x.counts[f];
                    c[1] = Math.max(c[1], x.maxRows[f]);
                }
            }
            s.files = perFile.keySet().toArray(String[]::new);
            s.counts = perFile.values().stream().mapToLong(c -> c[0]).toArray();
            s.maxRows = perFile.values().stream().mapToLong(c -> c[1]).toArray();
            s.maxLabel = Math.max(a.maxLabel, b.maxLabel);
            s.skipped = a.skipped + b.skipped;
            s.firstSkipped = a.firstSkipped == null ? b.firstSkipped : b.firstSkipped == null ? a.firstSkipped
                    : a.firstSkipped.compareTo(b.firstSkipped) <= 0 ? a.firstSkipped : b.firstSkipped;
            s.add(a.first);
            s.add(a.other);
            s.add(b.first);
            s.add(b.other);
            return s;
        }
    }
}
