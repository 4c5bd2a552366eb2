package dev.kindling.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kindling.KindlingException;
import java.util.SplittableRandom;

/**
 * Training-time augmentation ({@code network.augment}), applied to each training example every
 * time it is put in a batch, after its pixels are scaled to 0..1 and before the network's
 * normalisation; never at evaluation or in predict.
 * <ul>
 *   <li>{@code random-crop: {padding: P}}: the image shifted by a random whole number of pixels
 *       from -P to P in each direction, what it leaves uncovered black (0): torchvision's
 *       {@code RandomCrop(size, padding=P)}, padding then cropping back to the size;</li>
 *   <li>{@code horizontal-flip: true}: mirrored left to right with probability 1/2;</li>
 *   <li>{@code brightness: B}: every pixel multiplied by one factor drawn from [1 - B, 1 + B],
 *       capped at 1 (torchvision's {@code ColorJitter(brightness=B)}).</li>
 * </ul>
 * The draws of one example come from its own stream, fixed by (seed, epoch, shard, example):
 * the same seed gives the same run, whatever the threads, and a Spark run the same draws as
 * {@code --master single --shards N}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Augmentation(@JsonProperty("random-crop") RandomCrop randomCrop,
                           @JsonProperty("horizontal-flip") Boolean horizontalFlip,
                           @JsonProperty("brightness") Double brightness) {

    public Augmentation {
        if (brightness != null && !(brightness >= 0 && brightness < 1)) {
            throw new KindlingException("network.augment.brightness: " + brightness + " is out of range [0, 1)");
        }
    }

    /** {@code random-crop: {padding: P}}, P at least 1. */
    public record RandomCrop(@JsonProperty("padding") Integer padding) {
        public RandomCrop {
            if (padding == null) {
                throw new KindlingException("network.augment.random-crop.padding: missing (e.g. {padding: 4})");
            }
            if (padding < 1) {
                throw new KindlingException("network.augment.random-crop.padding: " + padding + " must be > 0");
            }
        }
    }

    /** Which run, epoch and shard a batch belongs to: with an example's index in its shard, its stream. */
    public record Key(long seed, int epoch, int shard) {
        /** The seed of example {@code example}'s draws (its index in the shard). */
        public long of(int example) {
            long h = mix(seed ^ 0x2545F4914F6CDD1DL);
            h = mix(h + epoch * 0x9E3779B97F4A7C15L);
            h = mix(h + shard * 0xBF58476D1CE4E5B9L);
            return mix(h + example * 0x94D049BB133111EBL);
        }

        private static long mix(long z) { // SplitMix64's finaliser
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    /** Whether any transform is asked for. */
    public boolean any() {
        return randomCrop != null || Boolean.TRUE.equals(horizontalFlip) || brightness != null && brightness > 0;
    }

    /**
     * Augments the example of {@code channels x height x width} values at {@code x[offset]} in
     * place, with the draws of {@code seed}; {@code scratch} holds at least one plane.
     */
    public void apply(float[] x, int offset, int channels, int height, int width, long seed, float[] scratch) {
        SplittableRandom rng = new SplittableRandom(seed);
        int area = height * width;
        if (randomCrop != null) {
            int p = randomCrop.padding;
            int dy = rng.nextInt(2 * p + 1) - p;
            int dx = rng.nextInt(2 * p + 1) - p;
            if (dy != 0 || dx != 0) {
                for (int c = 0; c < channels; c++) {
                    int plane = offset + c * area;
                    System.arraycopy(x, plane, scratch, 0, area);
                    for (int y = 0; y < height; y++) {
                        int sy = y + dy;
                        for (int xx = 0; xx < width; xx++) {
                            int sx = xx + dx;
                            x[plane + y * width + xx] = sy >= 0 && sy < height && sx >= 0 && sx < width
                                    ? scratch[sy * width + sx] : 0f;
                        }
                    }
                }
            }
        }
        if (Boolean.TRUE.equals(horizontalFlip) && rng.nextBoolean()) {
            for (int row = offset; row < offset + channels * area; row += width) {
                for (int i = 0, j = width - 1; i < j; i++, j--) {
                    float t = x[row + i];
                    x[row + i] = x[row + j];
                    x[row + j] = t;
                }
            }
        }
        if (brightness != null && brightness > 0) {
            float factor = (float) (1 + (2 * rng.nextDouble() - 1) * brightness);
            for (int i = offset; i < offset + channels * area; i++) {
                x[i] = Math.min(1f, x[i] * factor);
            }
        }
    }

    /**
     * Augments rows {@code 0..count-1} of a filled batch of {@code d}'s examples; row b's
     * stream is {@code key.of(local[b])}.
     */
    public void applyToBatch(float[] x, int count, Dataset d, Key key, int[] local, float[] scratch) {
        int features = d.featureCount();
        for (int b = 0; b < count; b++) {
            apply(x, b * features, d.channels(), d.height(), d.width(), key.of(local[b]), scratch);
        }
    }
}
