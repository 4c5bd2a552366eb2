package dev.kindling.bench.spark;

import dev.kindling.backend.Backends;
import dev.kindling.config.JobConfig;
import dev.kindling.data.Augmentation;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.spark.data.ImageResize;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * What an executor core does with real image collections, single-threaded:
 * <ol>
 *   <li>images decoded and resized per second: PNG files of mixed sizes (from 24 to 320 pixels a
 *       side, colour noise and gradients, so the PNGs do not compress to nothing) decoded with
 *       ImageIO and resized to 32 x 32 RGB by the data options' resampler, for each resize mode;</li>
 *   <li>the share of a training round spent on augmentation: for the network of a config
 *       (default configs/cnn-color.yaml), the time to fill a batch, to augment it and to compute
 *       its gradient, as a worker does each round.</li>
 * </ol>
 * Run: {@code java -cp BENCH_CLASSPATH dev.kindling.bench.spark.ImageThroughput [--images N]
 * [--batches N] [--config FILE]}; it prints one result line per measurement.
 */
public final class ImageThroughput {
    private ImageThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int images = 400;
        int batches = 30;
        Path config = Path.of("configs", "cnn-color.yaml");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                case "--config" -> config = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--images N, --batches N, --config FILE)");
            }
        }
        decodeAndResize(images);
        augmentationShare(config, batches);
    }

    static List<byte[]> pngs(int n) throws IOException {
        Random random = new Random(1);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int w = 24 + random.nextInt(297);
            int h = 24 + random.nextInt(297);
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int r = (x * 255 / w + random.nextInt(32)) & 0xFF;
                    int g = (y * 255 / h + random.nextInt(32)) & 0xFF;
                    img.setRGB(x, y, r << 16 | g << 8 | random.nextInt(256));
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(img, "png", bytes);
            out.add(bytes.toByteArray());
        }
        return out;
    }

    static void decodeAndResize(int n) throws IOException {
        List<byte[]> files = pngs(n);
        long pixels = 0;
        for (ImageResize.Mode mode : ImageResize.Mode.values()) {
            ImageResize resize = new ImageResize(32, 32, mode);
            byte[] out = new byte[3 * 32 * 32];
            double decodeSeconds = 0;
            double resizeSeconds = 0;
            for (int round = 0; round < 2; round++) { // the first round warms the JIT up
                decodeSeconds = 0;
                resizeSeconds = 0;
                pixels = 0;
                for (byte[] file : files) {
                    long t0 = System.nanoTime();
                    BufferedImage img = ImageIO.read(new ByteArrayInputStream(file));
                    int w = img.getWidth();
                    int h = img.getHeight();
                    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
                    byte[] planes = new byte[3 * w * h];
                    for (int p = 0; p < argb.length; p++) {
                        planes[p] = (byte) (argb[p] >> 16);
                        planes[w * h + p] = (byte) (argb[p] >> 8);
                        planes[2 * w * h + p] = (byte) argb[p];
                    }
                    long t1 = System.nanoTime();
                    resize.resize(planes, 0, 3, h, w, out, 0);
                    long t2 = System.nanoTime();
                    decodeSeconds += (t1 - t0) / 1e9;
                    resizeSeconds += (t2 - t1) / 1e9;
                    pixels += (long) w * h;
                }
            }
            System.out.printf(Locale.ROOT, "images: %d PNGs, mean %.0f pixels, to 32x32 rgb (%s): %.0f images/s per "
                            + "core (decode %.2f ms, resize %.3f ms per image)%n", n, (double) pixels / n,
                    mode.name().toLowerCase(Locale.ROOT), n / (decodeSeconds + resizeSeconds),
                    1e3 * decodeSeconds / n, 1e3 * resizeSeconds / n);
        }
    }

    static void augmentationShare(Path configFile, int batches) throws IOException {
        JobConfig job = Json.read(Json.YAML, configFile.toString(), Files.readAllBytes(configFile), JobConfig.class);
        NetworkSpec spec = job.network();
        if (spec.normalize() != null && spec.normalize().auto()) {
            spec = spec.withNormalize(new dev.kindling.nn.Normalization(List.of(0.5), List.of(0.25)));
        }
        Augmentation augment = spec.augment() != null ? spec.augment()
                : new Augmentation(new Augmentation.RandomCrop(4), true, 0.1);
        int batch = job.batch() != null ? job.batch() : 64;
        var in = spec.input();
        int features = in.size();
        int n = 1024;
        byte[] pixels = new byte[n * features];
        byte[] labels = new byte[n];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
        }
        Network net = Network.build(spec, Backends.create("auto"));
        net.initialize(1);
        int classes = net.outputCount();
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) random.nextInt(classes);
        }
        Dataset data = new Dataset("random", in.channels(), in.height(), in.width(), classes, pixels, labels);
        float[] x = new float[batch * features];
        float[] t = new float[batch * classes];
        int[] local = new int[batch];
        float[] scratch = new float[in.height() * in.width()];
        long fill = 0;
        long aug = 0;
        long grad = 0;
        for (int b = -5; b < batches; b++) { // 5 batches to warm up
            for (int k = 0; k < batch; k++) {
                local[k] = random.nextInt(n);
            }
            long t0 = System.nanoTime();
            data.fillBatch(local, 0, batch, x, t, null);
            long t1 = System.nanoTime();
            augment.applyToBatch(x, batch, data, new Augmentation.Key(1, 1, 0), local, scratch);
            long t2 = System.nanoTime();
            net.gradient(x, t, batch, 1f, random);
            long t3 = System.nanoTime();
            if (b >= 0) {
                fill += t1 - t0;
                aug += t2 - t1;
                grad += t3 - t2;
            }
        }
        double total = fill + aug + grad;
        System.out.printf(Locale.ROOT, "augmentation: %s, batch %d of %s on one core: fill %.2f ms, augment %.2f ms, "
                        + "gradient %.2f ms per batch; augmentation is %.1f %% of a round's computation%n",
                configFile, batch, in, fill / 1e6 / batches, aug / 1e6 / batches, grad / 1e6 / batches,
                100 * aug / total);
    }
}
