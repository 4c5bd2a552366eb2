package dev.kindling.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** im2col against a direct convolution, and col2im as its exact adjoint. */
class Im2ColTest {

    @ParameterizedTest(name = "c={0} h={1} w={2} k={3}x{4} stride={5} pad={6}")
    @CsvSource({
            "1, 5, 5, 3, 3, 1, 0",
            "3, 7, 6, 3, 3, 1, 1",
            "2, 9, 8, 3, 2, 2, 1",
            "4, 6, 7, 5, 5, 1, 2",
            "2, 8, 8, 2, 2, 2, 0",
            "1, 4, 4, 4, 4, 3, 1",
    })
    void convolutionThroughIm2colMatchesTheDirectSum(int channels, int height, int width,
                                                     int kh, int kw, int stride, int pad) {
        Random rnd = new Random(5);
        int filters = 3;
        int outH = (height + 2 * pad - kh) / stride + 1;
        int outW = (width + 2 * pad - kw) / stride + 1;
        int rows = channels * kh * kw;
        int xOff = 2;
        float[] x = random(rnd, xOff + channels * height * width);
        float[] weights = random(rnd, filters * rows);

        Backend backend = Backends.create("loop");
        int colOff = 4;
        // A column block inside a wider matrix, as the layer lays out a batch.
        int ldCol = outH * outW + 3;
        float[] col = new float[colOff + rows * ldCol];
        backend.im2col(x, xOff, channels, height, width, kh, kw, stride, pad, col, colOff, ldCol);
        float[] out = new float[filters * outH * outW];
        backend.gemm(false, false, filters, outH * outW, rows, 1f, weights, 0, rows,
                col, colOff, ldCol, 0f, out, 0, outH * outW);

        for (int f = 0; f < filters; f++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double sum = 0;
                    for (int c = 0; c < channels; c++) {
                        for (int i = 0; i < kh; i++) {
                            for (int j = 0; j < kw; j++) {
                                int y = oy * stride - pad + i;
                                int xx = ox * stride - pad + j;
                                if (y >= 0 && y < height && xx >= 0 && xx < width) {
                                    sum += (double) weights[f * rows + (c * kh + i) * kw + j]
                                            * x[xOff + (c * height + y) * width + xx];
                                }
                            }
                        }
                    }
                    assertEquals(sum, out[(f * outH + oy) * outW + ox], 1e-4,
                            "filter " + f + " at (" + oy + ", " + ox + ")");
                }
            }
        }
    }

    @ParameterizedTest(name = "c={0} h={1} w={2} k={3}x{4} stride={5} pad={6}")
    @CsvSource({
            "1, 5, 5, 3, 3, 1, 0",
            "3, 7, 6, 3, 3, 1, 1",
            "2, 9, 8, 3, 2, 2, 1",
            "4, 6, 7, 5, 5, 1, 2",
            "2, 11, 10, 3, 3, 3, 2",
    })
    void col2imIsTheAdjointOfIm2col(int channels, int height, int width,
                                    int kh, int kw, int stride, int pad) {
        Random rnd = new Random(9);
        int outH = (height + 2 * pad - kh) / stride + 1;
        int outW = (width + 2 * pad - kw) / stride + 1;
        // Rows of the column matrix 5 floats further apart than the block is wide; the entries
        // between blocks must be neither written by im2col nor read by col2im.
        int ldCol = outH * outW + 5;
        int colSize = channels * kh * kw * ldCol;
        int imageSize = channels * height * width;
        float[] x = random(rnd, imageSize);
        float[] y = random(rnd, colSize);

        Backend backend = Backends.create("java");
        float[] colOfX = new float[colSize];
        backend.im2col(x, 0, channels, height, width, kh, kw, stride, pad, colOfX, 0, ldCol);
        float[] imageOfY = new float[imageSize];
        backend.col2im(y, 0, ldCol, channels, height, width, kh, kw, stride, pad, imageOfY, 0);

        double left = dot(colOfX, y);
        double right = dot(x, imageOfY);
        assertEquals(left, right, 1e-4 * (1 + Math.abs(left)), "<im2col(x), y> vs <x, col2im(y)>");
    }

    private static double dot(float[] u, float[] v) {
        double s = 0;
        for (int i = 0; i < u.length; i++) {
            s += (double) u[i] * v[i];
        }
        return s;
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
