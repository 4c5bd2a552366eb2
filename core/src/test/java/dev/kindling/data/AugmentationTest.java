package dev.kindling.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.io.Json;
import dev.kindling.nn.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** network.augment: each transform, its draws fixed by (seed, epoch, shard, example), and its config. */
class AugmentationTest {

    static Augmentation read(String yaml) {
        return Json.read(Json.YAML, "net.yaml", ("input: [1, 3, 3]\nlayers: [{type: flatten}, {type: dense, units: 2}]\n"
                + "augment: " + yaml + "\n").getBytes(StandardCharsets.UTF_8), NetworkSpec.class).augment();
    }

    static float[] image() {
        float[] x = new float[9];
        for (int i = 0; i < 9; i++) {
            x[i] = (i + 1) / 10f;
        }
        return x;
    }

    @Test
    void readsTheConfigAndRefusesBadValuesNamingTheField() {
        Augmentation a = read("{random-crop: {padding: 4}, horizontal-flip: true, brightness: 0.1}");
        assertEquals(4, a.randomCrop().padding());
        assertTrue(a.horizontalFlip());
        assertEquals(0.1, a.brightness());
        assertEquals(null, read("{horizontal-flip: false}"), "nothing asked for: no augmentation");
        for (String[] c : new String[][] {
            {"{random-crop: {padding: 0}}", "network.augment.random-crop.padding: 0 must be > 0"},
            {"{brightness: 1.5}", "network.augment.brightness: 1.5 is out of range [0, 1)"},
        }) {
            KindlingException e = assertThrows(KindlingException.class, () -> read(c[0]));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        KindlingException unknown = assertThrows(KindlingException.class, () -> read("{rotate: 10}"));
        assertTrue(unknown.getMessage().contains("rotate"), unknown.getMessage());
    }

    @Test
    void cropShiftsOnBlackFlipMirrorsAndBrightnessScales() {
        Augmentation crop = new Augmentation(new Augmentation.RandomCrop(1), null, null);
        Set<String> seen = new HashSet<>();
        for (int example = 0; example < 200; example++) {
            float[] x = image();
            crop.apply(x, 0, 1, 3, 3, new Augmentation.Key(1, 1, 0).of(example), new float[9]);
            seen.add(Arrays.toString(x));
            float sum = 0;
            for (float v : x) {
                sum += v;
            }
            assertTrue(sum <= 4.5f + 1e-6, "a shift only loses pixels");
        }
        assertEquals(9, seen.size(), "every shift from -1 to 1 in each direction: " + seen);
        assertTrue(seen.contains(Arrays.toString(new float[] {0.5f, 0.6f, 0, 0.8f, 0.9f, 0, 0, 0, 0})), seen.toString());

        Augmentation flip = new Augmentation(null, true, null);
        Set<String> flips = new HashSet<>();
        for (int example = 0; example < 50; example++) {
            float[] x = image();
            flip.apply(x, 0, 1, 3, 3, new Augmentation.Key(1, 1, 0).of(example), new float[9]);
            flips.add(Arrays.toString(x));
        }
        assertEquals(Set.of(Arrays.toString(image()),
                Arrays.toString(new float[] {0.3f, 0.2f, 0.1f, 0.6f, 0.5f, 0.4f, 0.9f, 0.8f, 0.7f})), flips);

        Augmentation bright = new Augmentation(null, null, 0.5);
        float[] x = image();
        bright.apply(x, 0, 1, 3, 3, 42, new float[9]);
        float factor = x[0] / 0.1f;
        assertTrue(factor >= 0.5f && factor <= 1.5f, "factor " + factor);
        for (int i = 0; i < 9; i++) {
            assertEquals(Math.min(1f, (i + 1) / 10f * factor), x[i], 1e-6);
        }
    }

    @Test
    void theDrawsAreFixedBySeedEpochShardAndExample() {
        Augmentation all = new Augmentation(new Augmentation.RandomCrop(1), true, 0.2);
        float[] a = image();
        float[] b = image();
        all.apply(a, 0, 1, 3, 3, new Augmentation.Key(7, 2, 1).of(5), new float[9]);
        all.apply(b, 0, 1, 3, 3, new Augmentation.Key(7, 2, 1).of(5), new float[9]);
        assertArrayEquals(a, b);
        long k = new Augmentation.Key(7, 2, 1).of(5);
        assertNotEquals(k, new Augmentation.Key(8, 2, 1).of(5));
        assertNotEquals(k, new Augmentation.Key(7, 3, 1).of(5));
        assertNotEquals(k, new Augmentation.Key(7, 2, 0).of(5));
        assertNotEquals(k, new Augmentation.Key(7, 2, 1).of(6));
    }
}
