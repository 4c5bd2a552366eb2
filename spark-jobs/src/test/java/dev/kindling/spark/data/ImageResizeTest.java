package dev.kindling.spark.data;

import static dev.kindling.spark.data.ParquetSourceTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kindling.UsageException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resampling of size= and resize=, on small planes whose results are worked out by hand. */
class ImageResizeTest {

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static byte[] resize(String size, String mode, byte[] src, int channels, int h, int w) {
        ImageResize r = ImageResize.of(new DataOptions(Map.of("size", size, "resize", mode)));
        byte[] dst = new byte[channels * r.height * r.width + 2];
        java.util.Arrays.fill(dst, (byte) 99); // the padding must be written, and nothing past the planes
        r.resize(src, 0, channels, h, w, dst, 1);
        assertEquals(99, dst[0]);
        assertEquals(99, dst[dst.length - 1]);
        return java.util.Arrays.copyOfRange(dst, 1, dst.length - 1);
    }

    @Test
    void theSameSizeIsTheImageItself() {
        byte[] src = bytes(1, 2, 3, 4, 5, 6, 250, 251, 252, 253, 254, 255);
        assertArrayEquals(src, resize("2x3", "stretch", src, 2, 2, 3));
        assertArrayEquals(src, resize("2x3", "crop", src, 2, 2, 3));
        assertArrayEquals(src, resize("2x3", "pad", src, 2, 2, 3));
    }

    @Test
    void shrinkingAveragesTheAreaEachOutputPixelCovers() {
        byte[] src = bytes(
                0, 10, 100, 100,
                20, 30, 100, 200,
                255, 255, 0, 0,
                255, 255, 0, 1);
        assertArrayEquals(bytes(15, 125, 255, 0), resize("2x2", "stretch", src, 1, 4, 4));
        // 3 -> 2: the middle pixel counts half for each output
        assertArrayEquals(bytes(20, 100), resize("1x2", "stretch", bytes(0, 60, 120), 1, 1, 3));
    }

    @Test
    void growingInterpolatesBetweenPixelCentres() {
        assertArrayEquals(bytes(0, 64, 191, 255), resize("1x4", "stretch", bytes(0, 255), 1, 1, 2));
    }

    @Test
    void cropKeepsTheCentreOfTheLongSide() {
        byte[] wide = bytes(
                1, 2, 3, 4, 5, 6,
                7, 8, 9, 10, 11, 12);
        assertArrayEquals(bytes(3, 4, 9, 10), resize("2x2", "crop", wide, 1, 2, 6));
        byte[] tall = bytes(1, 2, 3, 4, 5, 6);
        assertArrayEquals(bytes(3, 4), resize("2x1", "crop", tall, 1, 6, 1));
    }

    @Test
    void padCentresTheWholeImageOnBlack() {
        byte[] src = bytes(10, 20, 30, 40);
        assertArrayEquals(bytes(
                0, 0, 0, 0,
                10, 20, 30, 40,
                0, 0, 0, 0,
                0, 0, 0, 0), resize("4x4", "pad", src, 1, 1, 4));
        // two channels: each plane padded alike
        assertArrayEquals(bytes(0, 5, 0, 0, 7, 0), resize("1x3", "pad", bytes(5, 7), 2, 1, 1));
    }

    @Test
    void badSizesAndAResizeWithoutASizeAreRefusedNamingTheOption() {
        assertMentions(assertThrows(UsageException.class, () -> ImageResize.of(new DataOptions(Map.of("size",
                "0x32")))), "data-option size", "\"0x32\"", "a side of 0");
        assertMentions(assertThrows(UsageException.class, () -> ImageResize.of(new DataOptions(Map.of("size",
                "big")))), "data-option size", "\"big\"", "HEIGHTxWIDTH");
        assertMentions(assertThrows(UsageException.class, () -> ImageResize.of(new DataOptions(Map.of("resize",
                "pad")))), "data-option resize", "size=HxW");
        assertMentions(assertThrows(UsageException.class, () -> ImageResize.of(new DataOptions(Map.of("size", "8",
                "resize", "squash")))), "data-option resize", "squash", "crop, stretch, pad");
        assertNull(ImageResize.of(new DataOptions(Map.of())));
        ImageResize square = ImageResize.of(new DataOptions(Map.of("size", "8")));
        assertEquals(8, square.height);
        assertEquals(8, square.width);
        assertEquals(ImageResize.Mode.CROP, square.mode);
    }
}
