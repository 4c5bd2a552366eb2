package dev.kindling;

import dev.kindling.data.IdxDirectory;
import java.nio.file.Path;

/** Where the tests find the real Fashion-MNIST: the Debian package or scripts/fetch-data's cache. */
public final class TestData {
    private TestData() {
    }

    public static Path fashionMnist() {
        return IdxDirectory.findInstalled().orElseThrow(() -> new IllegalStateException(
                "Fashion-MNIST is not installed: run scripts/fetch-data (tests need the real data set)"));
    }
}
