package dev.kindling.nn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.KindlingException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-channel input normalisation, part of the network ({@code network.normalize}):
 * {@code x = (pixel / 255 - mean[c]) / std[c]}, the mean and standard deviation in the units of
 * pixels scaled to 0..1 (as torchvision's {@code Normalize} takes them), one value for every
 * channel or one per channel. The division by 255 is the data's ({@code Dataset.fillBatch}); the
 * rest is the network's first step, so that training, evaluation, predict and a saved model all
 * apply the same normalisation, and an ONNX export carries it as Sub and Div nodes on raw pixels.
 *
 * <p>{@code normalize: auto} is a placeholder resolved once before training, from the training
 * data: the mean and standard deviation of each channel over every pixel of every example. A
 * network is never run with it unresolved.
 */
public record Normalization(List<Double> mean, List<Double> std) {
    /** The unresolved {@code normalize: auto}. */
    public static final Normalization AUTO = new Normalization(null, null);

    public Normalization {
        if ((mean == null) != (std == null)) {
            throw new KindlingException("network.normalize: give both mean and std (e.g. {mean: [0.5], std: [0.25]}),"
                    + " or auto");
        }
        if (mean != null) {
            if (mean.isEmpty() || mean.size() != std.size()) {
                throw new KindlingException("network.normalize: mean has " + mean.size() + " values and std "
                        + std.size() + "; give one value, or one per channel, in each");
            }
            for (int c = 0; c < mean.size(); c++) {
                Double m = mean.get(c);
                Double s = std.get(c);
                if (m == null || !Double.isFinite(m)) {
                    throw new KindlingException("network.normalize.mean[" + c + "]: " + m + " must be a finite number");
                }
                if (s == null || !(s > 0) || !Double.isFinite(s)) {
                    throw new KindlingException("network.normalize.std[" + c + "]: " + s + " must be a finite number > 0");
                }
            }
            mean = List.copyOf(mean);
            std = List.copyOf(std);
        }
    }

    public boolean auto() {
        return mean == null;
    }

    /** From a config or model file: {@code auto}, or {@code {mean: [...], std: [...]}} (a number for a list of one). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Normalization of(JsonNode node) {
        if (node.isTextual() && node.asText().equals("auto")) {
            return AUTO;
        }
        if (!node.isObject()) {
            throw new KindlingException("network.normalize: " + node + " is neither auto nor {mean: [...], std: [...]}");
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String k = keys.next();
            if (!k.equals("mean") && !k.equals("std")) {
                throw new KindlingException("network.normalize: unknown key \"" + k + "\" (known: mean, std)");
            }
        }
        return new Normalization(values(node.get("mean"), "mean"), values(node.get("std"), "std"));
    }

    private static List<Double> values(JsonNode node, String name) {
        if (node == null) {
            return null;
        }
        List<Double> out = new ArrayList<>();
        for (JsonNode v : node.isArray() ? node : List.of(node)) {
            if (!v.isNumber()) {
                throw new KindlingException("network.normalize." + name + ": " + v + " is not a number");
            }
            out.add(v.asDouble());
        }
        return out;
    }

    @JsonValue
    Object json() {
        if (auto()) {
            return "auto";
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", mean);
        m.put("std", std);
        return m;
    }

    /** Refuses a count of values that fits neither all channels nor each of {@code input}'s. */
    void check(Shape input) {
        if (auto() || mean.size() == 1) {
            return;
        }
        if (input.isVector() || mean.size() != input.channels()) {
            throw new KindlingException("network.normalize: " + mean.size() + " values for an input of "
                    + (input.isVector() ? "one vector (give one value)" : input.channels() + " channel(s)"));
        }
    }

    /** The means, one per channel of {@code input} (one for a vector). */
    public float[] means(Shape input) {
        return expand(mean, input);
    }

    /** The standard deviations, one per channel of {@code input} (one for a vector). */
    public float[] stds(Shape input) {
        return expand(std, input);
    }

    private static float[] expand(List<Double> v, Shape input) {
        if (v == null) {
            throw new IllegalStateException("normalize: auto is resolved from the training data before training");
        }
        int n = input.isVector() ? 1 : input.channels();
        float[] out = new float[n];
        for (int c = 0; c < n; c++) {
            out[c] = (float) (double) v.get(v.size() == 1 ? 0 : c);
        }
        return out;
    }

    /**
     * The normalisation of a data set's pixels: per channel, the mean and population standard
     * deviation from the exact sums of pixel values ({@code sums[c]}) and of their squares
     * ({@code squares[c]}) over {@code count} pixels of each channel, in 0..1 units. Exact integer
     * sums give the same numbers whatever order they were added in.
     */
    public static Normalization fromSums(long[] sums, long[] squares, long count) {
        List<Double> mean = new ArrayList<>();
        List<Double> std = new ArrayList<>();
        for (int c = 0; c < sums.length; c++) {
            double m = (double) sums[c] / count;
            double var = Math.max(0, (double) squares[c] / count - m * m);
            mean.add(round(m / 255));
            std.add(round(Math.max(Math.sqrt(var), 1.0) / 255)); // a constant channel: std of one pixel step
        }
        return new Normalization(mean, std);
    }

    /**
     * {@code normalize: auto} resolved on {@code data}: per channel of its examples, or over all
     * values for a network whose input is a vector.
     */
    public static Normalization of(dev.kindling.data.Dataset data, Shape input) {
        long[][] sums = data.channelSums();
        return fromSums(sums[0], sums[1], (long) data.size() * data.height() * data.width(), input);
    }

    /**
     * From a data set's per-channel sums over {@code perChannel} pixels each (as
     * {@link dev.kindling.data.Dataset#channelSums} gives them, added over shards), for a network
     * of {@code input}: one value per channel, or one over all channels for a vector input.
     */
    public static Normalization fromSums(long[] sums, long[] squares, long perChannel, Shape input) {
        if (input.isVector() && sums.length > 1) {
            long s = 0;
            long q = 0;
            for (int c = 0; c < sums.length; c++) {
                s += sums[c];
                q += squares[c];
            }
            return fromSums(new long[] {s}, new long[] {q}, perChannel * sums.length);
        }
        return fromSums(sums, squares, perChannel);
    }

    /** Six significant digits: what a person reads in model.json, exactly the same on every resolution. */
    private static double round(double v) {
        return Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6g", v));
    }

    /**
     * The runtime step: {@code (x - mean[c]) / std[c]} of a batch into a buffer of its own (the
     * caller's batch stays as it was).
     */
    static final class Step {
        private final float[] mean;
        private final float[] std;
        private final int area;
        private final int features;
        private float[] out = new float[0];

        Step(Normalization n, Shape input) {
            this.mean = n.means(input);
            this.std = n.stds(input);
            this.features = input.size();
            this.area = input.isVector() ? features : input.height() * input.width();
        }

        float[] apply(float[] x, int batch) {
            if (out.length < batch * features) {
                out = new float[batch * features];
            }
            for (int b = 0; b < batch; b++) {
                int row = b * features;
                for (int c = 0; c < mean.length; c++) {
                    float m = mean[c];
                    float s = std[c];
                    int from = row + c * area;
                    for (int i = from; i < from + area; i++) {
                        out[i] = (x[i] - m) / s;
                    }
                }
            }
            return out;
        }
    }
}
