package dev.kindling.spark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.data.Dataset;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.spark.Allocations;
import org.junit.jupiter.api.Test;

/** Fitting data to a network with more outputs than classes widens it without copying the examples. */
public class FitToNetworkTest {
    static final NetworkSpec TWELVE_OUTPUTS = NetworkSpec.mlp("784-12", "he", 0);

    @Test
    void wideningSharesThePixels() {
        Dataset d = Allocations.images(20_000, 4); // 15.7 MB of pixels, 10 classes
        DataSources.fitted(d, TWELVE_OUTPUTS, 12); // loads what the first call needs
        long before = Allocations.soFar();
        Dataset wide = DataSources.fitted(d, TWELVE_OUTPUTS, 12);
        long allocated = Allocations.soFar() - before;
        long pixels = (long) d.size() * d.featureCount();
        assertTrue(allocated < pixels / 16, "widening " + pixels + " pixel bytes allocated " + allocated);
        assertEquals(12, wide.classes());
        assertEquals(d.size(), wide.size());
        assertEquals(d.pixel(19_999, 783), wide.pixel(19_999, 783));
        assertEquals(d.label(19_999), wide.label(19_999));
        assertSame(d, DataSources.fitted(d, NetworkSpec.mlp("784-10", "he", 0), 10));
    }
}
