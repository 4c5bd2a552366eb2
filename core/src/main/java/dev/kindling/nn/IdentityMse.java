package dev.kindling.nn;

/** Identity output with the textbook's squared error: L = ½·Σ(y − t)², dL/dy = y − t. */
public final class IdentityMse implements Loss {
    public static final String NAME = "identity-mse";
    private final int outputs;
    private float[] y;
    private float[] target;
    private float[] dz;

    public IdentityMse(int outputs) {
        this.outputs = outputs;
    }

    @Override
    public double forward(float[] z, float[] target, int batch) {
        this.y = z;
        this.target = target;
        if (target == null) {
            return Double.NaN;
        }
        double loss = 0;
        int n = batch * outputs;
        for (int i = 0; i < n; i++) {
            double d = z[i] - target[i];
            loss += 0.5 * d * d;
        }
        return loss;
    }

    @Override
    public float[] output() {
        return y;
    }

    @Override
    public float[] backward(int batch, float scale) {
        dz = Buffers.scaledDifference(y, target, batch * outputs, scale, dz);
        return dz;
    }

    @Override
    public String name() {
        return NAME;
    }
}
