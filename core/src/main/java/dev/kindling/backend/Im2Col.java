package dev.kindling.backend;

/** Plain-Java im2col / col2im: memory-bound, so one implementation serves every backend. */
final class Im2Col {
    private Im2Col() {
    }

    static void im2col(float[] x, int xOff, int channels, int height, int width,
                       int kh, int kw, int stride, int pad, float[] col, int colOff, int ldCol) {
        int outH = (height + 2 * pad - kh) / stride + 1;
        int outW = (width + 2 * pad - kw) / stride + 1;
        checkLeadingDimension(ldCol, outH * outW);
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = xOff + c * height * width;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, row++) {
                    int dst = colOff + row * ldCol;
                    for (int oy = 0; oy < outH; oy++) {
                        int y = oy * stride - pad + i;
                        if (y < 0 || y >= height) {
                            java.util.Arrays.fill(col, dst, dst + outW, 0f);
                            dst += outW;
                            continue;
                        }
                        int src = plane + y * width;
                        if (stride == 1) {
                            // the columns that read inside the row form one run: copy it whole
                            int lo = Math.max(0, pad - j);
                            int hi = Math.min(outW, width + pad - j);
                            java.util.Arrays.fill(col, dst, dst + lo, 0f);
                            if (hi > lo) {
                                System.arraycopy(x, src + lo - pad + j, col, dst + lo, hi - lo);
                            }
                            java.util.Arrays.fill(col, dst + Math.max(lo, hi), dst + outW, 0f);
                            dst += outW;
                            continue;
                        }
                        for (int ox = 0; ox < outW; ox++, dst++) {
                            int xx = ox * stride - pad + j;
                            col[dst] = (xx >= 0 && xx < width) ? x[src + xx] : 0f;
                        }
                    }
                }
            }
        }
    }

    private static void checkLeadingDimension(int ldCol, int positions) {
        if (ldCol < positions) {
            throw new IllegalArgumentException("ldCol " + ldCol + " is less than the " + positions
                    + " output positions of a row");
        }
    }

    static void col2im(float[] col, int colOff, int ldCol, int channels, int height, int width,
                       int kh, int kw, int stride, int pad, float[] x, int xOff) {
        int outH = (height + 2 * pad - kh) / stride + 1;
        int outW = (width + 2 * pad - kw) / stride + 1;
        checkLeadingDimension(ldCol, outH * outW);
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = xOff + c * height * width;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, row++) {
                    int src = colOff + row * ldCol;
                    for (int oy = 0; oy < outH; oy++) {
                        int y = oy * stride - pad + i;
                        if (y < 0 || y >= height) {
                            src += outW;
                            continue;
                        }
                        int dst = plane + y * width;
                        if (stride == 1) {
                            int lo = Math.max(0, pad - j);
                            int hi = Math.min(outW, width + pad - j);
                            int shift = dst - pad + j;
                            for (int ox = lo; ox < hi; ox++) {
                                x[shift + ox] += col[src + ox];
                            }
                            src += outW;
                            continue;
                        }
                        for (int ox = 0; ox < outW; ox++, src++) {
                            int xx = ox * stride - pad + j;
                            if (xx >= 0 && xx < width) {
                                x[dst + xx] += col[src];
                            }
                        }
                    }
                }
            }
        }
    }
}
