package dev.kindling.spark.data;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxFile;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Parquet read with Spark SQL: a file or a directory of files (as Spark writes them) with an
 * integer {@code label} column (class index 0 to 255) and an {@code image} column, either
 * {@code binary} (raw uint8 pixels) or an array of byte, short, int, long, float or double
 * (whole numbers 0 to 255; a byte is read as unsigned, i.e. its bits, so -1 is 255). Column names
 * are the options {@code label-column} and {@code image-column}.
 *
 * <p>The image shape (channels, height, width) comes from the options {@code channels},
 * {@code height}, {@code width}, else from the same keys in the image column's Spark metadata
 * (saved in the Parquet schema by {@code df.write()}), else: one channel, and a square image
 * when the length is a perfect square (784 values: 28 x 28). Several channels are interleaved
 * per pixel ({@code layout=hwc}, the default, as image libraries and Spark's image source hold
 * them) or one plane after another ({@code layout=chw}). {@code classes} (1 to 256) fixes the
 * number of classes; by default it is the largest label plus one.
 *
 * <p>With {@code image-format=encoded} the {@code binary} image column holds encoded images
 * (PNG, JPEG, BMP, GIF: what Java's ImageIO decodes), decoded on the executors as image folders
 * are: {@code color=keep|grey|rgb}, and {@code size=HxW} with {@code resize=crop|stretch|pad}
 * ({@link ImageResize}); without a size all images must have one.
 *
 * <p>Executors decode their partitions into compact {@link ExampleBlock}s; the driver collects
 * them in file and row order (so the order does not depend on the partitioning) and checks
 * shapes and labels, naming the file, row, column and value of the first bad example.
 */
public final class ParquetSource extends SplitDataSource {
    private final String labelColumn;
    private final String imageColumn;
    private final Integer height;
    private final Integer width;
    private final Integer channels;
    private final Integer classes;
    private final boolean planar;
    /** Whether the image column holds encoded images (image-format=encoded), not raw pixels. */
    private final boolean encoded;
    private final String color;
    private final ImageResize resize;

    private ParquetSource(FileSystem fs, Path location, DataOptions options) {
        super(fs, location, options);
        this.labelColumn = options.string("label-column", "label");
        this.imageColumn = options.string("image-column", "image");
        int most = IdxFile.MAX_LENGTH;
        this.height = options.integer("height", 1, most);
        this.width = options.integer("width", 1, most);
        this.channels = options.integer("channels", 1, most);
        this.planar = options.choice("layout", "hwc", "hwc", "chw").equals("chw");
        this.classes = options.integer("classes", 1, Dataset.MAX_CLASSES);
        this.encoded = options.choice("image-format", "raw", "raw", "encoded").equals("encoded");
        // read only for encoded images: for raw pixels they are refused as options Parquet does not take
        this.color = encoded ? options.choice("color", "keep", "keep", "grey", "rgb") : "keep";
        this.resize = encoded ? ImageResize.of(options) : null;
        if (encoded && (height != null || width != null || channels != null || options.has("layout"))) {
            throw new dev.kindling.UsageException("data-option image-format=encoded: the images say their own "
                    + "height, width and channels; leave out height, width, channels and layout (size=HxW resizes)");
        }
    }

    static ParquetSource open(FileSystem fs, Path location, DataOptions options) {
        return new ParquetSource(fs, location, options);
    }

    @Override
    public String format() {
        return "Parquet";
    }

    @Override
    public Map<String, Object> record() {
        Map<String, Object> r = super.record();
        r.put("format", "parquet");
        return r;
    }

    @Override
    protected Examples read(SparkSession spark, Path at) {
        org.apache.spark.sql.Dataset<Row> df = spark.read().parquet(at.toString());
        StructType schema = df.schema();
        StructField label = field(schema, labelColumn, "label-column", at);
        StructField image = field(schema, imageColumn, "image-column", at);
        DataType labelType = label.dataType();
        if (!(labelType instanceof ByteType || labelType instanceof ShortType || labelType instanceof IntegerType
                || labelType instanceof LongType)) {
            throw new KindlingException(String.format("%s: column %s has type %s; the label column holds class "
                    + "indices, an integer type (tinyint, smallint, int or bigint)", at, labelColumn,
                    labelType.simpleString()));
        }
        Decoder.Kind kind = kindOf(image.dataType(), at);
        if (encoded && kind != Decoder.Kind.BINARY) {
            throw new KindlingException(String.format("%s: column %s has type %s; data-option image-format=encoded "
                    + "reads encoded images (PNG, JPEG) from a binary column", at, imageColumn,
                    image.dataType().simpleString()));
        }
        if (encoded) {
            kind = Decoder.Kind.ENCODED;
        }
        DecodedBlocks blocks = DecodedBlocks.of(df.select(quoted(labelColumn), quoted(imageColumn),
                        functions.col("_metadata.file_path"), functions.col("_metadata.row_index"))
                .javaRDD()
                .mapPartitions(new Decoder(labelColumn, imageColumn, kind, classes, color, resize)));
        if (blocks.total() == 0) {
            throw new KindlingException(at + ": holds no rows");
        }
        if (blocks.total() > Integer.MAX_VALUE) {
            throw new KindlingException(String.format("%s: %,d rows; at most %,d examples are supported", at,
                    blocks.total(), Integer.MAX_VALUE));
        }
        if (encoded) {
            DecodedBlocks.Mark first = blocks.first();
            DecodedBlocks.Mark other = blocks.firstOther();
            if (other != null) {
                throw new KindlingException(ImageFolderSource.mixed(other.file + ", row " + other.row, other,
                        first.file + ", row " + first.row, first));
            }
            return blocks.examples(sc(spark), first.channels, first.height, first.width,
                    classes != null ? classes : blocks.maxLabel() + 1,
                    classes != null ? "data-option classes" : "the largest label + 1", at.toString(), false, false);
        }
        int[] shape = shape(blocks.first(), image.metadata(), at);
        int c = shape[0];
        int h = shape[1];
        int w = shape[2];
        int features = c * h * w;
        DecodedBlocks.Mark bad = blocks.first().length != features ? blocks.first() : blocks.firstOther();
        if (bad != null) {
            throw new KindlingException(String.format("%s, row %d: column %s holds %d values, but the images "
                    + "are %d x %d x %d (channels x height x width) = %d values%s", bad.file, bad.row, imageColumn,
                    bad.length, c, h, w, features, shapeOrigin()));
        }
        return blocks.examples(sc(spark), c, h, w, classes != null ? classes : blocks.maxLabel() + 1,
                classes != null ? "data-option classes" : "the largest label + 1", at.toString(), c > 1 && !planar,
                false);
    }

    /** Pixel-interleaved (h, w, c) from {@code hwc[from...]} to one plane per channel (c, h, w). */
    static void toPlanar(byte[] hwc, int from, int channels, int area, byte[] dst, int at) {
        for (int p = 0; p < area; p++) {
            for (int ch = 0; ch < channels; ch++) {
                dst[at + ch * area + p] = hwc[from + p * channels + ch];
            }
        }
    }

    private String shapeOrigin() {
        return height != null || width != null || channels != null ? " (data-options height, width, channels)" : "";
    }

    private static org.apache.spark.sql.Column quoted(String name) {
        return functions.col("`" + name.replace("`", "``") + "`");
    }

    private static StructField field(StructType schema, String name, String option, Path at) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new KindlingException(String.format("%s: no column \"%s\" (columns: %s); name another with "
                + "data-option %s", at, name, String.join(", ", schema.fieldNames()), option));
    }

    private Decoder.Kind kindOf(DataType type, Path at) {
        if (type instanceof BinaryType) {
            return Decoder.Kind.BINARY;
        }
        if (type instanceof ArrayType array) {
            DataType e = array.elementType();
            if (e instanceof ByteType) {
                return Decoder.Kind.BYTES;
            }
            if (e instanceof ShortType || e instanceof IntegerType || e instanceof LongType) {
                return Decoder.Kind.INTEGERS;
            }
            if (e instanceof FloatType || e instanceof DoubleType) {
                return Decoder.Kind.REALS;
            }
        }
        throw new KindlingException(String.format("%s: column %s has type %s; the image column holds uint8 "
                + "pixels as binary, or as an array of tinyint, smallint, int, bigint, float or double (0 to 255)",
                at, imageColumn, type.simpleString()));
    }

    /** (channels, height, width) from the options, the column's metadata, or the first example's length. */
    private int[] shape(DecodedBlocks.Mark first, Metadata meta, Path at) {
        Integer c = pick("channels", channels, meta, at);
        Integer h = pick("height", height, meta, at);
        Integer w = pick("width", width, meta, at);
        int ch = c == null ? 1 : c;
        if (h != null && w != null) {
            long features = (long) ch * h * w;
            if (features > IdxFile.MAX_LENGTH) {
                throw new KindlingException(String.format("%s: images of %d x %d x %d have more pixels than fit in "
                        + "one array", at, ch, h, w));
            }
            return new int[] {ch, h, w};
        }
        int length = first.length;
        String where = first.file + ", row " + first.row;
        if (length == 0 || length % ch != 0) {
            throw new KindlingException(String.format("%s: column %s holds %d values, which is no whole number of "
                    + "%d-channel pixels", where, imageColumn, length, ch));
        }
        int area = length / ch;
        if (h != null || w != null) {
            int known = h != null ? h : w;
            if (area % known != 0) {
                throw new KindlingException(String.format("%s: column %s holds %d values, which is no %s of %d "
                        + "with %d channel(s)", where, imageColumn, length, h != null ? "height" : "width", known, ch));
            }
            return h != null ? new int[] {ch, h, area / h} : new int[] {ch, area / w, w};
        }
        int side = (int) Math.round(Math.sqrt(area));
        if (side * side != area) {
            throw new KindlingException(String.format("%s: column %s holds %d values, which is not a square image "
                    + "of %d channel(s); give the shape as data-options height and width (and channels), or as "
                    + "those keys in the column's metadata", where, imageColumn, length, ch));
        }
        return new int[] {ch, side, side};
    }

    private Integer pick(String key, Integer option, Metadata meta, Path at) {
        Integer recorded = null;
        if (meta.contains(key)) {
            long v;
            try {
                v = meta.getLong(key);
            } catch (RuntimeException e) {
                throw new KindlingException(String.format("%s: the metadata of column %s has %s = %s, which is not "
                        + "a whole number", at, imageColumn, key, meta.json()));
            }
            if (v < 1 || v > IdxFile.MAX_LENGTH) {
                throw new KindlingException(String.format("%s: the metadata of column %s has %s = %d, out of range",
                        at, imageColumn, key, v));
            }
            recorded = (int) v;
        }
        if (option != null && recorded != null && !option.equals(recorded)) {
            throw new KindlingException(String.format("%s: data-option %s %d disagrees with %s = %d in the metadata "
                    + "of column %s", at, key, option, key, recorded, imageColumn));
        }
        return option != null ? option : recorded;
    }

    /** Decodes one partition's rows (label, image, file, row) into one {@link ExampleBlock}. */
    static final class Decoder implements FlatMapFunction<Iterator<Row>, ExampleBlock> {
        private static final long serialVersionUID = 1L;

        enum Kind { BINARY, BYTES, INTEGERS, REALS, ENCODED }

        private final String labelColumn;
        private final String imageColumn;
        private final Kind kind;
        /** The data option classes, or null. */
        private final Integer classes;
        private final String color;
        private final ImageResize resize;

        Decoder(String labelColumn, String imageColumn, Kind kind, Integer classes, String color,
                ImageResize resize) {
            this.labelColumn = labelColumn;
            this.imageColumn = imageColumn;
            this.kind = kind;
            this.classes = classes;
            this.color = color;
            this.resize = resize;
        }

        @Override
        public Iterator<ExampleBlock> call(Iterator<Row> rows) {
            ExampleBlock.Builder block = new ExampleBlock.Builder(kind == Kind.ENCODED);
            byte[][] scratch = {null};
            while (rows.hasNext()) {
                Row r = rows.next();
                String file = r.getString(2);
                long row = r.getLong(3);
                if (r.isNullAt(0)) {
                    throw new KindlingException(String.format("%s, row %d: column %s is null", file, row, labelColumn));
                }
                long label = ((Number) r.get(0)).longValue();
                if (label < 0 || label >= Dataset.MAX_CLASSES) {
                    throw new KindlingException(String.format("%s, row %d: label %d in column %s is out of range "
                            + "(class indices 0 to %d)", file, row, label, labelColumn, Dataset.MAX_CLASSES - 1));
                }
                if (classes != null && label >= classes) {
                    throw new KindlingException(String.format("%s, row %d: label %d in column %s is out of range for "
                            + "%d classes (0 to %d, data-option classes)", file, row, label, labelColumn, classes,
                            classes - 1));
                }
                if (r.isNullAt(1)) {
                    throw new KindlingException(String.format("%s, row %d: column %s is null", file, row, imageColumn));
                }
                int length;
                if (kind == Kind.ENCODED) {
                    byte[] bytes = (byte[]) r.get(1);
                    int[] hwc = new int[3];
                    byte[] data = decode(bytes, hwc, file, row);
                    ImageFolderSource.Decoder.add(block, file, row, (int) label, data, hwc[2], hwc[0], hwc[1], color,
                            resize, scratch);
                    continue;
                }
                if (kind == Kind.BINARY) {
                    byte[] bytes = (byte[]) r.get(1);
                    length = bytes.length;
                    int at = block.reserve(length); // before pixelBuffer(): it may grow the buffer
                    System.arraycopy(bytes, 0, block.pixelBuffer(), at, length);
                } else {
                    List<Object> values = r.getList(1);
                    length = values.size();
                    int at = block.reserve(length);
                    byte[] buffer = block.pixelBuffer();
                    int k = 0;
                    for (Object v : values) {
                        buffer[at + k] = pixel(v, file, row, k);
                        k++;
                    }
                }
                block.add(file, row, (int) label, length, 0, 0, 0);
            }
            return List.of(block.build()).iterator();
        }

        /**
         * Decodes an encoded image with ImageIO into Spark's image layout (interleaved grey, BGR or
         * BGRA bytes), its height, width and channels into {@code hwc}.
         */
        private byte[] decode(byte[] bytes, int[] hwc, String file, long row) {
            java.awt.image.BufferedImage img;
            String why = "";
            try {
                img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            } catch (java.io.IOException | RuntimeException e) {
                img = null;
                why = " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
            }
            if (img == null || img.getWidth() < 1 || img.getHeight() < 1) {
                throw new KindlingException(String.format("%s, row %d: column %s holds %d bytes that are not an "
                        + "image Java's ImageIO decodes (PNG, JPEG, BMP, GIF)%s; data-option image-format=encoded "
                        + "reads encoded images", file, row, imageColumn, bytes.length, why));
            }
            return interleaved(img, hwc);
        }

        /** {@code img}'s pixels as Spark's image source holds them: grey, BGR or BGRA, interleaved. */
        static byte[] interleaved(java.awt.image.BufferedImage img, int[] hwc) {
            int h = img.getHeight();
            int w = img.getWidth();
            hwc[0] = h;
            hwc[1] = w;
            if (img.getType() == java.awt.image.BufferedImage.TYPE_BYTE_GRAY) {
                hwc[2] = 1;
                int[] samples = img.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
                byte[] out = new byte[samples.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (byte) samples[i];
                }
                return out;
            }
            boolean alpha = img.getColorModel().hasAlpha();
            int c = alpha ? 4 : 3;
            hwc[2] = c;
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            byte[] out = new byte[argb.length * c];
            for (int i = 0; i < argb.length; i++) {
                int p = argb[i];
                out[i * c] = (byte) p;
                out[i * c + 1] = (byte) (p >> 8);
                out[i * c + 2] = (byte) (p >> 16);
                if (alpha) {
                    out[i * c + 3] = (byte) (p >>> 24);
                }
            }
            return out;
        }

        private byte pixel(Object v, String file, long row, int k) {
            if (v == null) {
                throw new KindlingException(String.format("%s, row %d: element %d of column %s is null", file, row, k,
                        imageColumn));
            }
            switch (kind) {
                case BYTES:
                    return (Byte) v;
                case INTEGERS: {
                    long x = ((Number) v).longValue();
                    if (x < 0 || x > 255) {
                        throw new KindlingException(String.format("%s, row %d: element %d of column %s is %d, out of "
                                + "range for a pixel (0 to 255)", file, row, k, imageColumn, x));
                    }
                    return (byte) x;
                }
                default: {
                    double x = ((Number) v).doubleValue();
                    double whole = Math.rint(x);
                    if (!(whole >= 0 && whole <= 255) || Math.abs(x - whole) > 1e-3) {
                        throw new KindlingException(String.format("%s, row %d: element %d of column %s is %s, not a "
                                + "pixel value (whole numbers 0 to 255; scale 0..1 data by 255)", file, row, k,
                                imageColumn, v));
                    }
                    return (byte) (int) whole;
                }
            }
        }
    }
}
