package dev.kindling.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StateAveragingTest {

    @Test
    void averagesElementWise() {
        float[] mean = StateAveraging.average(new float[] {1f, 2f, -3f}, new float[] {3f, 4f, 0f},
                new float[] {5f, 0f, 0f});
        assertArrayEquals(new float[] {3f, 2f, -1f}, mean);
    }

    @Test
    void averageOfIdenticalVectorsIsTheVector() {
        float[] x = {0.1f, -1e-30f, 3.3333333f, Float.MAX_VALUE / 2, 7e-45f};
        float[][] copies = new float[7][];
        for (int j = 0; j < copies.length; j++) {
            copies[j] = x.clone();
        }
        assertArrayEquals(x, StateAveraging.average(copies));
    }

    @Test
    void mayWriteIntoOneOfItsInputs() {
        float[] a = {2f, 4f};
        float[] b = {4f, 8f};
        StateAveraging.average(new float[][] {a, b}, a);
        assertArrayEquals(new float[] {3f, 6f}, a);
    }

    @Test
    void rejectsVectorsOfDifferentLengths() {
        assertThrows(IllegalArgumentException.class,
                () -> StateAveraging.average(new float[2], new float[3]));
        assertThrows(IllegalArgumentException.class, StateAveraging::average);
    }
}
