package dev.kindling.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The real Fashion-MNIST as Debian's dataset-fashion-mnist installs it (CI installs the package). */
class FashionMnistTest {

    @Test
    void loadsTheInstalledDataset() {
        IdxDirectory data = IdxDirectory.open(dev.kindling.TestData.fashionMnist());
        Dataset train = data.loadTrain();
        Dataset test = data.loadTest();

        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        for (Dataset set : new Dataset[] {train, test}) {
            assertEquals(1, set.channels());
            assertEquals(28, set.height());
            assertEquals(28, set.width());
            assertEquals(784, set.featureCount());
            assertEquals(10, set.classes());
        }
        int[] sixThousandEach = new int[10];
        Arrays.fill(sixThousandEach, 6_000);
        assertArrayEquals(sixThousandEach, train.labelCounts());
        int[] thousandEach = new int[10];
        Arrays.fill(thousandEach, 1_000);
        assertArrayEquals(thousandEach, test.labelCounts());

        // Real images use the whole 0..255 range; an offset or sign error would not.
        int min = 255;
        int max = 0;
        for (int f = 0; f < 784; f++) {
            min = Math.min(min, train.pixel(0, f));
            max = Math.max(max, train.pixel(0, f));
        }
        assertEquals(0, min);
        assertTrue(max > 200, "max pixel of the first image: " + max);
        assertEquals(9, train.label(0), "the first training image is an ankle boot");
    }
}
