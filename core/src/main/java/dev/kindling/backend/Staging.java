package dev.kindling.backend;

import org.bytedeco.javacpp.FloatPointer;

/**
 * Copies GEMM operands, views (array, offset, leading dimension) into Java arrays, to and from
 * native buffers, for the backends whose kernels cannot read the Java heap. Only the rows of a
 * view travel, never its whole array: for a view into the flat parameter vector that would be
 * the entire vector.
 */
final class Staging {
    private Staging() {
    }

    /**
     * Copies a rows×cols view into {@code dst} and returns the leading dimension it has there.
     * A view whose rows are close together travels as one block, gaps included, keeping its
     * leading dimension (one JNI call); a sparse one is compacted row by row.
     */
    static int in(float[] src, int off, int rows, int cols, int ld, FloatPointer dst) {
        if (keepsLayout(rows, cols, ld)) {
            dst.position(0).put(src, off, (int) span(rows, cols, ld)).position(0);
            return ld;
        }
        rowsIn(src, off, rows, cols, ld, dst);
        return cols;
    }

    /** Copies a rows×cols view into {@code dst} compacted (leading dimension cols). */
    static void rowsIn(float[] src, int off, int rows, int cols, int ld, FloatPointer dst) {
        if (ld == cols) {
            dst.position(0).put(src, off, rows * cols);
        } else {
            for (int r = 0; r < rows; r++) {
                dst.position((long) r * cols).put(src, off + r * ld, cols);
            }
        }
        dst.position(0);
    }

    /**
     * Copies a compact rows×cols matrix out of {@code src} into a view. C goes out row by row when
     * it has gaps: they hold data that is not ours to overwrite, and with beta = 0 their scratch
     * counterparts were never filled.
     */
    static void rowsOut(FloatPointer src, int rows, int cols, float[] dst, int off, int ld) {
        if (ld == cols) {
            src.position(0).get(dst, off, rows * cols);
        } else {
            for (int r = 0; r < rows; r++) {
                src.position((long) r * cols).get(dst, off + r * ld, cols);
            }
        }
        src.position(0);
    }

    /** The floats {@link #in} writes for a rows×cols view with leading dimension ld. */
    static long size(int rows, int cols, int ld) {
        return keepsLayout(rows, cols, ld) ? span(rows, cols, ld) : (long) rows * cols;
    }

    private static boolean keepsLayout(int rows, int cols, int ld) {
        return span(rows, cols, ld) <= 2L * rows * cols;
    }

    private static long span(int rows, int cols, int ld) {
        return (long) (rows - 1) * ld + cols;
    }
}
