package dev.kindling.spark.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@link ExampleBlock}s of a read, collected on the driver, in a fixed order: by file name,
 * then row within the file. The order does not depend on how Spark split the files into
 * partitions, so the same data gives the same dataset (and the same seeded run) on any cluster.
 */
public final class DecodedExamples {
    private final List<ExampleBlock> blocks;
    private final int[] block;
    private final int[] index;
    private final int skipped;
    private final String firstSkipped;

    private DecodedExamples(List<ExampleBlock> blocks, int[] block, int[] index, int skipped, String firstSkipped) {
        this.blocks = blocks;
        this.block = block;
        this.index = index;
        this.skipped = skipped;
        this.firstSkipped = firstSkipped;
    }

    static DecodedExamples merge(List<ExampleBlock> blocks) {
        int n = 0;
        int skipped = 0;
        String firstSkipped = null;
        for (ExampleBlock b : blocks) {
            n += b.size();
            skipped += b.skipped;
            if (b.firstSkipped != null && (firstSkipped == null || b.firstSkipped.compareTo(firstSkipped) < 0)) {
                firstSkipped = b.firstSkipped;
            }
        }
        List<long[]> keys = new ArrayList<>(n); // (block, index) pairs to sort
        for (int b = 0; b < blocks.size(); b++) {
            for (int i = 0; i < blocks.get(b).size(); i++) {
                keys.add(new long[] {b, i});
            }
        }
        keys.sort(Comparator.<long[], String>comparing(k -> fileOf(blocks, k))
                .thenComparingLong(k -> blocks.get((int) k[0]).row[(int) k[1]]));
        int[] block = new int[n];
        int[] index = new int[n];
        for (int k = 0; k < n; k++) {
            block[k] = (int) keys.get(k)[0];
            index[k] = (int) keys.get(k)[1];
        }
        return new DecodedExamples(List.copyOf(blocks), block, index, skipped, firstSkipped);
    }

    private static String fileOf(List<ExampleBlock> blocks, long[] k) {
        ExampleBlock b = blocks.get((int) k[0]);
        return b.files[b.file[(int) k[1]]];
    }

    int size() {
        return block.length;
    }

    private ExampleBlock b(int k) {
        return blocks.get(block[k]);
    }

    String file(int k) {
        ExampleBlock b = b(k);
        return b.files[b.file[index[k]]];
    }

    long row(int k) {
        return b(k).row[index[k]];
    }

    int label(int k) {
        return b(k).labels[index[k]];
    }

    int length(int k) {
        ExampleBlock b = b(k);
        return b.offsets[index[k] + 1] - b.offsets[index[k]];
    }

    /** (channels, height, width) of example k, for sources that record them. */
    int shape(int k, int axis) {
        return b(k).shapes[3 * index[k] + axis];
    }

    byte[] pixelsOf(int k) {
        ExampleBlock b = b(k);
        return java.util.Arrays.copyOfRange(b.pixels, b.offsets[index[k]], b.offsets[index[k] + 1]);
    }

    void copyPixels(int k, byte[] dst, int at) {
        ExampleBlock b = b(k);
        int from = b.offsets[index[k]];
        System.arraycopy(b.pixels, from, dst, at, b.offsets[index[k] + 1] - from);
    }

    int skipped() {
        return skipped;
    }

    String firstSkipped() {
        return firstSkipped;
    }
}
