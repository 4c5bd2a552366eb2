package dev.kindling.nn;

/** Softmax output with cross-entropy loss: L = −Σ t·log y, dL/dz = y − t. */
public final class SoftmaxCrossEntropy implements Loss {
    public static final String NAME = "softmax-cross-entropy";
    private final int classes;
    private float[] y;
    private float[] target;
    private float[] dz;

    public SoftmaxCrossEntropy(int classes) {
        this.classes = classes;
    }

    @Override
    public double forward(float[] z, float[] target, int batch) {
        this.target = target;
        y = Buffers.ensure(y, batch * classes);
        double loss = 0;
        for (int n = 0; n < batch; n++) {
            int row = n * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, z[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                float e = (float) Math.exp(z[row + j] - max);
                y[row + j] = e;
                sum += e;
            }
            double logSum = Math.log(sum);
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < classes; j++) {
                y[row + j] *= inv;
                float t = target == null ? 0f : target[row + j];
                if (t != 0f) {
                    // log softmax computed as (z − max) − log Σ, stable for large logits
                    loss -= t * ((z[row + j] - max) - logSum);
                }
            }
        }
        return target == null ? Double.NaN : loss;
    }

    @Override
    public float[] output() {
        return y;
    }

    @Override
    public float[] backward(int batch, float scale) {
        dz = Buffers.scaledDifference(y, target, batch * classes, scale, dz);
        return dz;
    }

    @Override
    public String name() {
        return NAME;
    }
}
