package dev.kindling.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Compares backpropagation with central differences, (L(p + ε) − L(p − ε)) / 2ε, for every
 * parameter, and reports the error per parameter tensor (each layer's weights, and the rest of
 * its parameters: biases, γ/β). The error of a tensor is ‖g_backprop − g_numeric‖ /
 * (‖g_backprop‖ + ‖g_numeric‖), which stays meaningful where single entries are near zero; tensors whose
 * gradient norm is below {@link #ABSOLUTE_FLOOR} are judged on the absolute difference.
 */
public final class GradientCheck {

    /** The comparison for one parameter tensor. */
    public record TensorError(String tensor, int offset, int length, double relativeError,
                              double maxAbsoluteError) {
    }

    static final double ABSOLUTE_FLOOR = 1e-2;

    private GradientCheck() {
    }

    /**
     * Runs the check on one batch. Dropout draws the same mask for every evaluation (a fixed
     * seed), so the function being differentiated is deterministic.
     */
    public static List<TensorError> check(Network net, float[] x, float[] target, int batch, double eps) {
        long noiseSeed = 42;
        float[] p = net.parameters();
        net.gradient(x, target, batch, 1f, new SplittableRandom(noiseSeed));
        float[] analytic = net.gradients().clone();
        float[] stateBefore = net.state().clone();
        double[] numeric = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            float saved = p[i];
            p[i] = (float) (saved + eps);
            double plus = net.forward(x, target, batch, true, new SplittableRandom(noiseSeed));
            p[i] = (float) (saved - eps);
            double minus = net.forward(x, target, batch, true, new SplittableRandom(noiseSeed));
            p[i] = saved;
            // the perturbation actually applied, after rounding to float
            double h = ((double) (float) (saved + eps) - (double) (float) (saved - eps));
            numeric[i] = (plus - minus) / h;
        }
        System.arraycopy(stateBefore, 0, net.state(), 0, stateBefore.length);

        List<TensorError> errors = new ArrayList<>();
        int offset = 0;
        List<Layer> layers = net.layers();
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            int count = layer.parameterCount();
            if (count == 0) {
                continue;
            }
            String name = l + ":" + layer.getClass().getSimpleName();
            List<int[]> weights = new ArrayList<>();
            layer.weightRanges(weights);
            int weightLength = weights.isEmpty() ? 0 : weights.get(0)[1];
            if (weightLength > 0) {
                errors.add(compare(name + ".W", offset, weightLength, analytic, numeric));
            }
            if (count > weightLength) {
                String rest = weightLength > 0 ? ".b" : ".gamma_beta";
                errors.add(compare(name + rest, offset + weightLength, count - weightLength, analytic, numeric));
            }
            offset += count;
        }
        return errors;
    }

    private static TensorError compare(String name, int off, int len, float[] analytic, double[] numeric) {
        double diff = 0;
        double na = 0;
        double nn = 0;
        double maxAbs = 0;
        for (int i = off; i < off + len; i++) {
            double d = analytic[i] - numeric[i];
            diff += d * d;
            na += (double) analytic[i] * analytic[i];
            nn += numeric[i] * numeric[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
        }
        // The floor keeps gradients that are truly zero (a bias cancelled by BatchNorm) from
        // turning float round-off in the numerical estimate into a relative error of 1.
        double denom = Math.max(Math.sqrt(na) + Math.sqrt(nn), ABSOLUTE_FLOOR);
        double rel = Math.sqrt(diff) / denom;
        return new TensorError(name, off, len, rel, maxAbs);
    }
}
