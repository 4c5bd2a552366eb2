package dev.kindling.nn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.kindling.KindlingException;

/**
 * The shape of one example: channels × height × width; a plain vector is (n, 1, 1).
 * In JSON and YAML it is written as an array, {@code [1, 28, 28]}.
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
public record Shape(int channels, int height, int width) {

    public Shape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new KindlingException("shape: " + channels + "x" + height + "x" + width
                    + " must have every dimension > 0");
        }
    }

    /** From JSON or YAML: {@code [channels, height, width]}, or {@code [n]} for a vector. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Shape of(int[] dimensions) {
        if (dimensions != null && dimensions.length == 1) {
            return vector(dimensions[0]);
        }
        if (dimensions == null || dimensions.length != 3) {
            throw new KindlingException("shape: " + java.util.Arrays.toString(dimensions)
                    + " must be [channels, height, width] or [size]");
        }
        return new Shape(dimensions[0], dimensions[1], dimensions[2]);
    }

    public static Shape vector(int n) {
        return new Shape(n, 1, 1);
    }

    @JsonIgnore
    public int size() {
        return channels * height * width;
    }

    @JsonIgnore
    public boolean isVector() {
        return height == 1 && width == 1;
    }

    @Override
    public String toString() {
        return isVector() ? Integer.toString(channels) : channels + "x" + height + "x" + width;
    }
}
