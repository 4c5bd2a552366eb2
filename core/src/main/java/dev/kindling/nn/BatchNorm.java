package dev.kindling.nn;

import dev.kindling.KindlingException;
import java.util.random.RandomGenerator;

/**
 * Batch normalisation per feature (vector input) or per channel (image input). In training it
 * normalises with the batch's statistics and folds them into running averages; in inference it
 * uses the running averages. γ and β are trainable parameters; the running mean and variance
 * are model state, saved with the model but never touched by the optimizer.
 */
public final class BatchNorm implements Layer {
    private final Shape shape;
    private final int channels;
    private final int spatial;
    private final float momentum;
    private final float eps;

    private float[] params;
    private float[] grads;
    private int gammaOff;
    private int betaOff;
    private float[] state;
    private int meanOff;
    private int varOff;

    private final float[] mean;
    private final float[] invStd;
    private float[] xhat;
    private float[] y;
    private float[] dx;

    public BatchNorm(Shape shape, double momentum, double eps) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new KindlingException("batchnorm.momentum: " + momentum + " is out of range [0, 1)");
        }
        if (!(eps > 0)) {
            throw new KindlingException("batchnorm.eps: " + eps + " must be > 0");
        }
        this.shape = shape;
        this.channels = shape.channels();
        this.spatial = shape.height() * shape.width();
        this.momentum = (float) momentum;
        this.eps = (float) eps;
        this.mean = new float[channels];
        this.invStd = new float[channels];
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public int parameterCount() {
        return 2 * channels;
    }

    @Override
    public int stateCount() {
        return 2 * channels;
    }

    @Override
    public void bind(float[] params, float[] grads, int offset, float[] state, int stateOffset) {
        this.params = params;
        this.grads = grads;
        this.gammaOff = offset;
        this.betaOff = offset + channels;
        this.state = state;
        this.meanOff = stateOffset;
        this.varOff = stateOffset + channels;
    }

    @Override
    public void initialize(RandomGenerator rng) {
        java.util.Arrays.fill(params, gammaOff, gammaOff + channels, 1f);
        java.util.Arrays.fill(params, betaOff, betaOff + channels, 0f);
        java.util.Arrays.fill(state, meanOff, meanOff + channels, 0f);
        java.util.Arrays.fill(state, varOff, varOff + channels, 1f);
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training, RandomGenerator rng) {
        int n = batch * channels * spatial;
        y = Buffers.ensure(y, n);
        if (training) {
            xhat = Buffers.ensure(xhat, n);
            double m = (double) batch * spatial;
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                for (int b = 0; b < batch; b++) {
                    int base = (b * channels + c) * spatial;
                    for (int s = 0; s < spatial; s++) {
                        sum += x[base + s];
                    }
                }
                double mu = sum / m;
                double sq = 0;
                for (int b = 0; b < batch; b++) {
                    int base = (b * channels + c) * spatial;
                    for (int s = 0; s < spatial; s++) {
                        double d = x[base + s] - mu;
                        sq += d * d;
                    }
                }
                double var = sq / m;
                mean[c] = (float) mu;
                invStd[c] = (float) (1.0 / Math.sqrt(var + eps));
                state[meanOff + c] = momentum * state[meanOff + c] + (1 - momentum) * (float) mu;
                state[varOff + c] = momentum * state[varOff + c] + (1 - momentum) * (float) var;
            }
        } else {
            for (int c = 0; c < channels; c++) {
                mean[c] = state[meanOff + c];
                invStd[c] = (float) (1.0 / Math.sqrt(state[varOff + c] + eps));
            }
        }
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                int base = (b * channels + c) * spatial;
                if (training) {
                    normalise(x, xhat, base, c);
                    scaleAndShift(xhat, y, base, c);
                } else {
                    normalise(x, y, base, c);
                    scaleAndShift(y, y, base, c);
                }
            }
        }
        return y;
    }

    // The two steps of the output, each a straight loop over one row that the JIT vectorises
    // (a branch on training inside the row stopped it). The same float operations as one
    // loop computing γ·((x − μ)·invStd) + β.

    /** x̂ = (x − μ)·invStd over channel c's row at {@code base}. */
    private void normalise(float[] x, float[] xhat, int base, int c) {
        float mu = mean[c];
        float is = invStd[c];
        for (int s = base; s < base + spatial; s++) {
            xhat[s] = (x[s] - mu) * is;
        }
    }

    /** y = γ·x̂ + β over channel c's row at {@code base}; y may be x̂'s own array. */
    private void scaleAndShift(float[] xhat, float[] y, int base, int c) {
        float g = params[gammaOff + c];
        float be = params[betaOff + c];
        for (int s = base; s < base + spatial; s++) {
            y[s] = g * xhat[s] + be;
        }
    }

    @Override
    public float[] backward(float[] dout, int batch, boolean needInputGradient) {
        int n = batch * channels * spatial;
        if (needInputGradient) {
            dx = Buffers.ensure(dx, n);
        }
        float m = (float) batch * spatial;
        for (int c = 0; c < channels; c++) {
            double sumD = 0;
            double sumDX = 0;
            for (int b = 0; b < batch; b++) {
                int base = (b * channels + c) * spatial;
                for (int s = 0; s < spatial; s++) {
                    sumD += dout[base + s];
                    sumDX += dout[base + s] * xhat[base + s];
                }
            }
            grads[betaOff + c] = (float) sumD;
            grads[gammaOff + c] = (float) sumDX;
            if (!needInputGradient) {
                continue;
            }
            // dx = γ·invStd/m · (m·dout − Σdout − x̂·Σ(dout·x̂))
            float k = params[gammaOff + c] * invStd[c] / m;
            float sd = (float) sumD;
            float sdx = (float) sumDX;
            for (int b = 0; b < batch; b++) {
                int base = (b * channels + c) * spatial;
                for (int s = 0; s < spatial; s++) {
                    dx[base + s] = k * (m * dout[base + s] - sd - xhat[base + s] * sdx);
                }
            }
        }
        return needInputGradient ? dx : null;
    }
}
