package dev.kindling.spark.data;

import dev.kindling.UsageException;
import dev.kindling.data.IdxFile;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The data options {@code size=HxW} and {@code resize=crop|stretch|pad}: every decoded image
 * brought to one size on the executor that decodes it.
 * <ul>
 *   <li>{@code crop} (default): scaled so that its short side fits, then the centre cut out
 *       (what Keras's {@code crop_to_aspect_ratio} and torchvision's {@code Resize} +
 *       {@code CenterCrop} do): nothing is distorted, the edges of the long side are lost;</li>
 *   <li>{@code stretch}: scaled to the size, the aspect ratio not kept;</li>
 *   <li>{@code pad}: scaled so that its long side fits, centred, the rest black (0).</li>
 * </ul>
 *
 * <p>Scaling is a separable resampling of each channel plane: area averaging where an axis
 * shrinks (each output pixel the mean of the input pixels it covers, in proportion to how much
 * of each it covers: no aliasing, however large the factor) and bilinear interpolation where it
 * grows (pixel centres aligned). It is done here on the decoded bytes rather than through Java2D:
 * {@code Graphics2D.drawImage} with bilinear hints samples only 2 x 2 pixels per output pixel,
 * so it aliases when shrinking by more than 2; {@code Image.getScaledInstance(SCALE_AREA_AVERAGING)}
 * averages well but goes through the old producer/consumer pipeline, pixel by pixel, several
 * times slower; and drawing a {@code TYPE_BYTE_GRAY} image converts it through a linear grey
 * colour space, which changes the pixel values. Decoding stays with ImageIO (through Spark's
 * {@code image} source for folders, directly for encoded Parquet columns).
 */
public final class ImageResize implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})\\s*[xX]\\s*(\\d{1,9})|(\\d{1,9})");

    public enum Mode { CROP, STRETCH, PAD }

    final int height;
    final int width;
    final Mode mode;

    public ImageResize(int height, int width, Mode mode) {
        this.height = height;
        this.width = width;
        this.mode = mode;
    }

    /** The options' size and resize, or null where no size is given (then resize must not be either). */
    static ImageResize of(DataOptions options) {
        String size = options.string("size", null);
        boolean resizeGiven = options.has("resize");
        String mode = options.choice("resize", "crop", "crop", "stretch", "pad");
        if (size == null) {
            if (resizeGiven) {
                throw new UsageException("data-option resize: applies together with size=HxW (the size to resize "
                        + "to, e.g. size=32x32)");
            }
            return null;
        }
        Matcher m = SIZE.matcher(size);
        if (!m.matches()) {
            throw new UsageException("data-option size: \"" + size + "\" is not HEIGHTxWIDTH (e.g. size=32x32, or "
                    + "size=32 for a square)");
        }
        long h = Long.parseLong(m.group(1) != null ? m.group(1) : m.group(3));
        long w = Long.parseLong(m.group(1) != null ? m.group(2) : m.group(3));
        if (h == 0 || w == 0) {
            throw new UsageException("data-option size: \"" + size + "\" has a side of 0; give a height and width of "
                    + "at least 1 (e.g. size=32x32)");
        }
        if (4 * h * w > IdxFile.MAX_LENGTH) {
            throw new UsageException("data-option size: \"" + size + "\" is larger than an example may be ("
                    + IdxFile.MAX_LENGTH + " values with 4 channels)");
        }
        return new ImageResize((int) h, (int) w, Mode.valueOf(mode.toUpperCase(Locale.ROOT)));
    }

    @Override
    public String toString() {
        return height + "x" + width + " (" + mode.name().toLowerCase(Locale.ROOT) + ")";
    }

    /**
     * Resizes {@code channels} planes of {@code h x w} bytes at {@code src[from]} to as many
     * planes of {@link #height} x {@link #width} at {@code dst[at]}.
     */
    public void resize(byte[] src, int from, int channels, int h, int w, byte[] dst, int at) {
        int area = height * width;
        int sx = 0;
        int sy = 0;
        int sw = w;
        int sh = h;
        int dx = 0;
        int dy = 0;
        int dw = width;
        int dh = height;
        if (mode == Mode.CROP) {
            if ((long) h * width > (long) w * height) { // taller than the target: cut rows
                sh = (int) Math.max(1, Math.min(h, Math.round((double) w * height / width)));
                sy = (h - sh) / 2;
            } else {
                sw = (int) Math.max(1, Math.min(w, Math.round((double) h * width / height)));
                sx = (w - sw) / 2;
            }
        } else if (mode == Mode.PAD) {
            double s = Math.min((double) height / h, (double) width / w);
            dh = (int) Math.max(1, Math.min(height, Math.round(h * s)));
            dw = (int) Math.max(1, Math.min(width, Math.round(w * s)));
            dy = (height - dh) / 2;
            dx = (width - dw) / 2;
            Arrays.fill(dst, at, at + channels * area, (byte) 0);
        }
        Axis cols = new Axis(sx, sw, dw);
        Axis rows = new Axis(sy, sh, dh);
        float[] across = new float[sh * dw];
        for (int c = 0; c < channels; c++) {
            int plane = from + c * h * w;
            // horizontally: the source rows of the region to dw values each
            for (int y = 0; y < sh; y++) {
                int row = plane + (sy + y) * w;
                for (int x = 0; x < dw; x++) {
                    float v = 0;
                    int first = cols.first[x];
                    for (int k = 0; k < cols.count[x]; k++) {
                        v += cols.weight[x][k] * (src[row + first + k] & 0xFF);
                    }
                    across[y * dw + x] = v;
                }
            }
            // vertically: those rows to dh rows
            int out = at + c * area + dy * width + dx;
            for (int y = 0; y < dh; y++) {
                int first = rows.first[y] - sy;
                for (int x = 0; x < dw; x++) {
                    float v = 0;
                    for (int k = 0; k < rows.count[y]; k++) {
                        v += rows.weight[y][k] * across[(first + k) * dw + x];
                    }
                    int p = Math.round(v);
                    dst[out + y * width + x] = (byte) (p < 0 ? 0 : Math.min(p, 255));
                }
            }
        }
    }

    /** Which input pixels (of a run of {@code length} from {@code start}) make each of {@code n} outputs, and how much. */
    static final class Axis {
        final int[] first;
        final int[] count;
        final float[][] weight;

        Axis(int start, int length, int n) {
            first = new int[n];
            count = new int[n];
            weight = new float[n][];
            double scale = (double) length / n;
            for (int o = 0; o < n; o++) {
                if (scale > 1) { // shrinking: the mean over [lo, hi), each pixel by its covered part
                    double lo = o * scale;
                    double hi = Math.min(length, (o + 1) * scale);
                    int i0 = (int) Math.floor(lo);
                    int i1 = Math.min(length, (int) Math.ceil(hi - 1e-9));
                    float[] wts = new float[i1 - i0];
                    for (int i = i0; i < i1; i++) {
                        wts[i - i0] = (float) ((Math.min(hi, i + 1) - Math.max(lo, i)) / scale);
                    }
                    first[o] = start + i0;
                    count[o] = wts.length;
                    weight[o] = wts;
                } else { // growing (or the same size): bilinear between the two nearest centres
                    double c = (o + 0.5) * scale - 0.5;
                    int i0 = (int) Math.floor(c);
                    float f = (float) (c - i0);
                    if (i0 < 0) {
                        i0 = 0;
                        f = 0;
                    }
                    if (i0 >= length - 1) {
                        i0 = length - 1;
                        f = 0;
                    }
                    first[o] = start + i0;
                    if (f == 0) {
                        count[o] = 1;
                        weight[o] = new float[] {1f};
                    } else {
                        count[o] = 2;
                        weight[o] = new float[] {1 - f, f};
                    }
                }
            }
        }
    }
}
