package dev.kindling.optim;

/**
 * Element-wise mean of k vectors of the same length: how parameter averaging merges the
 * parameters and the optimizer states of k workers that each ran a few local steps. Averaging
 * a state is meaningful because every optimizer here keeps running sums or averages (velocity,
 * m, v, h) that are linear in the gradients seen.
 */
public final class StateAveraging {
    private StateAveraging() {
    }

    /** A new vector holding the mean of {@code vectors}. */
    public static float[] average(float[]... vectors) {
        if (vectors.length == 0) {
            throw new IllegalArgumentException("state averaging: no vectors to average");
        }
        float[] mean = new float[vectors[0].length];
        average(vectors, mean);
        return mean;
    }

    /**
     * Writes the mean of {@code vectors} into {@code mean}, which may be one of them. Each
     * element is summed in double, which keeps the float inputs' precision for any practical
     * k and gives identical vectors back exactly.
     */
    public static void average(float[][] vectors, float[] mean) {
        int k = vectors.length;
        if (k == 0) {
            throw new IllegalArgumentException("state averaging: no vectors to average");
        }
        for (int j = 0; j < k; j++) {
            if (vectors[j].length != mean.length) {
                throw new IllegalArgumentException("state averaging: vector " + j + " has "
                        + vectors[j].length + " floats, expected " + mean.length);
            }
        }
        for (int i = 0; i < mean.length; i++) {
            double sum = 0.0;
            for (int j = 0; j < k; j++) {
                sum += vectors[j][i];
            }
            mean[i] = (float) (sum / k);
        }
    }
}
