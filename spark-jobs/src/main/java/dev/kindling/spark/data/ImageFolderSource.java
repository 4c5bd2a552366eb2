package dev.kindling.spark.data;

import dev.kindling.KindlingException;
import dev.kindling.data.Dataset;
import dev.kindling.spark.runtime.SparkErrors;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Image folders read through Spark's {@code image} data source: a directory holding one
 * subfolder per class (and nothing else; hidden and {@code _}-prefixed names are skipped), the
 * class names sorted (as Java sorts strings) giving the label indices. Images in nested folders
 * of a class folder belong to that class. The test set's classes must be among the training
 * set's, and take their labels from it.
 *
 * <p>Without {@code size=HxW} every image must have the same size, and the first image (by path)
 * of another size is named; with it, each image is resized as it is decoded ({@link ImageResize}:
 * {@code resize=crop}, the default, {@code stretch} or {@code pad}). Pixels become one plane per
 * channel in RGB order: {@code color=keep}
 * (default) keeps the channels as decoded (1 for grey, 3 for colour, 4 with alpha: all images
 * must agree), {@code grey} converts to one channel (ITU-R BT.601 luma, 0.299 R + 0.587 G +
 * 0.114 B), {@code rgb} to three (grey replicated, alpha dropped).
 *
 * <p>A file that is not an image fails the read, naming it; {@code invalid-images=skip} leaves
 * such files out instead and says how many were left out. (Spark's own {@code dropInvalid} would
 * drop them silently; it is not used.)
 */
public final class ImageFolderSource extends SplitDataSource {
    private static final String OPEN_COST = "spark.sql.files.openCostInBytes";
    /** What opening an image counts as, in bytes, when Spark packs files into tasks. */
    private static final long IMAGE_OPEN_COST = 16 * 1024;

    private final String color;
    /** The size= and resize= options; null to keep the images' own size. */
    private final ImageResize resize;
    private final boolean skipInvalid;
    private final List<String> classNames;

    private ImageFolderSource(FileSystem fs, Path location, DataOptions options) {
        super(fs, location, options);
        this.color = options.choice("color", "keep", "keep", "grey", "rgb");
        this.resize = ImageResize.of(options);
        this.skipInvalid = options.choice("invalid-images", "fail", "fail", "skip").equals("skip");
        this.classNames = classFolders(fs, trainPath);
        if (classNames.size() > Dataset.MAX_CLASSES) {
            throw new KindlingException(String.format("%s: %d class folders; at most %d classes are supported",
                    trainPath, classNames.size(), Dataset.MAX_CLASSES));
        }
    }

    static ImageFolderSource open(FileSystem fs, Path location, DataOptions options) {
        return new ImageFolderSource(fs, location, options);
    }

    @Override
    public String format() {
        return "image folders";
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public Map<String, Object> record() {
        Map<String, Object> r = super.record();
        r.put("format", "images");
        r.put("color", color);
        if (resize != null) {
            r.put("size", List.of(resize.height, resize.width));
            r.put("resize", resize.mode.name().toLowerCase(java.util.Locale.ROOT));
        }
        r.put("classes", classNames);
        return r;
    }

    /** The class folder names under {@code dir}, sorted. */
    private static List<String> classFolders(FileSystem fs, Path dir) {
        List<String> names = new ArrayList<>();
        try {
            for (FileStatus s : fs.listStatus(dir)) {
                if (DataSources.hidden(s.getPath())) {
                    continue;
                }
                if (!s.isDirectory()) {
                    throw new KindlingException(s.getPath() + ": a file beside the class folders; an image folder "
                            + "holds one subfolder per class and nothing else (names starting with . or _ are skipped)");
                }
                names.add(s.getPath().getName());
            }
        } catch (IOException e) {
            throw new KindlingException(dir + ": cannot list the class folders: " + SparkErrors.firstLine(e), e);
        }
        if (names.isEmpty()) {
            throw new KindlingException(dir + ": holds no class folders (an image folder holds one subfolder of "
                    + "images per class)");
        }
        names.sort(null);
        return List.copyOf(names);
    }

    @Override
    protected Examples read(SparkSession spark, Path at) {
        List<String> here = at.equals(trainPath) ? classNames : classFolders(fs, at);
        String[] dirs = new String[here.size()];
        int[] labels = new int[here.size()];
        for (int i = 0; i < dirs.length; i++) {
            labels[i] = classNames.indexOf(here.get(i));
            if (labels[i] < 0) {
                throw new KindlingException(String.format("%s: class folder %s is not among the training classes "
                        + "(%s: %s)", new Path(at, here.get(i)), here.get(i), trainPath, String.join(", ", classNames)));
            }
            dirs[i] = new Path(at, here.get(i)).toString();
        }
        DecodedBlocks blocks;
        // Spark counts 4 MiB for opening each file, so small images would go one per task
        String before = spark.conf().get(OPEN_COST, null);
        spark.conf().set(OPEN_COST, Long.toString(IMAGE_OPEN_COST));
        try {
            blocks = DecodedBlocks.of(spark.read().format("image")
                    .option("dropInvalid", false)
                    .option("recursiveFileLookup", true)
                    .load(dirs)
                    .select(functions.col("image.origin"), functions.col("image.height"),
                            functions.col("image.width"), functions.col("image.nChannels"),
                            functions.col("image.data"))
                    .javaRDD()
                    .mapPartitions(new Decoder(dirs, labels, color, resize, skipInvalid)));
        } finally {
            if (before == null) {
                spark.conf().unset(OPEN_COST);
            } else {
                spark.conf().set(OPEN_COST, before);
            }
        }
        if (blocks.skipped() > 0) {
            note(String.format("%s: left out %d file(s) that are not images (data-option invalid-images=skip), "
                    + "the first: %s", at, blocks.skipped(), blocks.firstSkipped()));
        }
        if (blocks.total() == 0) {
            throw new KindlingException(at + ": the class folders hold no images");
        }
        DecodedBlocks.Mark first = blocks.first();
        DecodedBlocks.Mark other = blocks.firstOther();
        if (other != null) {
            throw new KindlingException(mixed(other.file, other, first.file, first));
        }
        return blocks.examples(sc(spark), first.channels, first.height, first.width, classNames.size(),
                "the class folders", at.toString(), false, true);
    }

    /** The message for an image of another size or channel count than the first. */
    static String mixed(String otherName, DecodedBlocks.Mark other, String firstName, DecodedBlocks.Mark first) {
        boolean channelsOnly = other.height == first.height && other.width == first.width;
        return String.format("%s: image is %d x %d with %d channel(s), but %s, the first image, is %d x %d with %d; "
                + "%s", otherName, other.width, other.height, other.channels, firstName, first.width, first.height,
                first.channels, channelsOnly
                        ? "all images must have as many channels: data-option color=grey or color=rgb makes them agree"
                        : "all images must have one size: data-option size=HxW resizes them (resize=crop, stretch or "
                        + "pad)");
    }

    /** Decodes one partition of the image source's rows into one {@link ExampleBlock}. */
    static final class Decoder implements FlatMapFunction<Iterator<Row>, ExampleBlock> {
        private static final long serialVersionUID = 1L;

        private final String[] classPaths;
        private final int[] labels;
        private final String color;
        private final ImageResize resize;
        private final boolean skipInvalid;

        Decoder(String[] classDirs, int[] labels, String color, ImageResize resize, boolean skipInvalid) {
            this.classPaths = new String[classDirs.length];
            for (int i = 0; i < classDirs.length; i++) {
                classPaths[i] = new Path(classDirs[i]).toUri().getPath() + "/";
            }
            this.labels = labels;
            this.color = color;
            this.resize = resize;
            this.skipInvalid = skipInvalid;
        }

        @Override
        public Iterator<ExampleBlock> call(Iterator<Row> rows) {
            ExampleBlock.Builder block = new ExampleBlock.Builder(true);
            byte[][] scratch = {null};
            while (rows.hasNext()) {
                Row r = rows.next();
                Path path = path(r.getString(0));
                String file = path.toString();
                int height = r.getInt(1);
                int width = r.getInt(2);
                int channels = r.getInt(3);
                byte[] data = (byte[]) r.get(4);
                if (channels < 1 || height < 1 || width < 1) {
                    if (skipInvalid) {
                        block.skip(file);
                        continue;
                    }
                    throw new KindlingException(file + ": not an image (Java's ImageIO cannot decode it); remove it, "
                            + "or pass data-option invalid-images=skip to leave such files out");
                }
                add(block, file, 0, labelOf(path, file), data, channels, height, width, color, resize, scratch);
            }
            return List.of(block.build()).iterator();
        }

        /**
         * Adds one decoded image (Spark's layout: interleaved grey, BGR or BGRA) to {@code block} as
         * planes in RGB(A) order or one of luma, as {@code color} asks, resized where {@code resize}
         * is given; {@code scratch[0]} holds the planes at their own size before resizing.
         */
        static void add(ExampleBlock.Builder block, String file, long row, int label, byte[] data, int channels,
                        int height, int width, String color, ImageResize resize, byte[][] scratch) {
            int area = height * width;
            int out = switch (color) {
                case "grey" -> 1;
                case "rgb" -> 3;
                default -> channels;
            };
            if (resize == null) {
                int at = block.reserve(out * area);
                convert(data, channels, area, block.pixelBuffer(), at, out);
                block.add(file, row, label, out * area, out, height, width);
                return;
            }
            if (scratch[0] == null || scratch[0].length < out * area) {
                scratch[0] = new byte[out * area];
            }
            convert(data, channels, area, scratch[0], 0, out);
            int length = out * resize.height * resize.width;
            int at = block.reserve(length);
            resize.resize(scratch[0], 0, out, height, width, block.pixelBuffer(), at);
            block.add(file, row, label, length, out, resize.height, resize.width);
        }

        private int labelOf(Path path, String file) {
            String p = path.toUri().getPath();
            for (int i = 0; i < classPaths.length; i++) {
                if (p.startsWith(classPaths[i])) {
                    return labels[i];
                }
            }
            throw new KindlingException(file + ": an image outside the class folders");
        }

        /** Spark's origin: a URI, URL-encoded in some Spark versions, plain in others. */
        private static Path path(String origin) {
            try {
                return new Path(new URI(origin));
            } catch (URISyntaxException | IllegalArgumentException e) {
                return new Path(origin);
            }
        }

        /**
         * Spark's pixels (row-major, channels interleaved in OpenCV's order: grey, BGR or BGRA)
         * to {@code out} planes in RGB(A) order, or one plane of luma.
         */
        static void convert(byte[] data, int channels, int area, byte[] dst, int at, int out) {
            for (int p = 0; p < area; p++) {
                int s = p * channels;
                if (channels == 1) {
                    for (int ch = 0; ch < out; ch++) {
                        dst[at + ch * area + p] = data[s];
                    }
                    continue;
                }
                int b = data[s] & 0xFF;
                int g = data[s + 1] & 0xFF;
                int r = data[s + 2] & 0xFF;
                if (out == 1) {
                    dst[at + p] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                } else {
                    dst[at + p] = (byte) r;
                    dst[at + area + p] = (byte) g;
                    dst[at + 2 * area + p] = (byte) b;
                    if (out == 4) {
                        dst[at + 3 * area + p] = data[s + 3];
                    }
                }
            }
        }
    }
}
