package dev.kindling.onnx;

import dev.kindling.KindlingException;
import dev.kindling.io.AtomicFiles;
import dev.kindling.nn.IdentityMse;
import dev.kindling.nn.Layer;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a network as an ONNX model for inference. The graph takes exactly what
 * {@link Network#forward} takes: float pixels already divided by 255 (0 to 1), shaped
 * {@code [N, C, H, W]} for an image input or {@code [N, features]} for a vector input, and
 * returns the softmax probabilities {@code [N, classes]} (the raw outputs for an identity-mse
 * network). Dropout is left out (the identity at inference); BatchNorm uses the running
 * statistics; every Dense layer is a Gemm whose input is flattened first when it is an image.
 *
 * <p>A network with a normalisation ({@code network.normalize}) takes raw pixels instead, 0 to
 * 255 as float32: its graph starts with the preprocessing, {@code Sub} of 255 x mean and
 * {@code Div} by 255 x std per channel, which is the data's division by 255 and the network's
 * normalisation in one, so a server feeds it the image as it is.
 */
public final class OnnxExporter {
    public static final String INPUT = "input";
    public static final String PROBABILITIES = "probabilities";
    public static final String OUTPUTS = "outputs";
    /** How the input is scaled, recorded in the model's metadata for whoever serves it. */
    public static final String PIXEL_SCALING = "pixel / 255 (0 to 1), float32";
    /** The input of a network that normalises: raw pixels, the graph does the rest. */
    public static final String RAW_PIXELS = "raw pixels (0 to 255), float32; the graph normalises them: "
            + "(pixel - 255 mean[c]) / (255 std[c])";

    private OnnxExporter() {
    }

    /** The output's name: probabilities for softmax networks, else outputs. */
    public static String outputName(NetworkSpec spec) {
        return IdentityMse.NAME.equals(spec.loss()) ? OUTPUTS : PROBABILITIES;
    }

    /** Writes the ONNX file atomically: a temporary sibling renamed over {@code file}. */
    public static void export(Network net, String version, Path file) {
        byte[] bytes = toOnnx(net, version);
        try {
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw new KindlingException(file + ": cannot write the ONNX model: " + e, e);
        }
    }

    /** The ONNX ModelProto bytes of {@code net} with its current parameters and state. */
    public static byte[] toOnnx(Network net, String version) {
        NetworkSpec spec = net.spec();
        List<Layer> layers = net.layers();
        float[] params = net.parameters();
        float[] state = net.state();
        OnnxGraph g = new OnnxGraph();
        Shape in = spec.input();
        boolean image = !in.isVector();
        String x = INPUT;
        String scaling = PIXEL_SCALING;
        if (spec.normalize() != null) {
            float[] mean = spec.normalize().means(in);
            float[] std = spec.normalize().stds(in);
            for (int c = 0; c < mean.length; c++) {
                mean[c] *= 255f;
                std[c] *= 255f;
            }
            long[] dims = in.isVector() || mean.length == 1 ? new long[] {1} : new long[] {mean.length, 1, 1};
            x = op(g, "Sub", x, g.floats(g.name("normalize_mean"), mean, 0, dims));
            x = op(g, "Div", x, g.floats(g.name("normalize_std"), std, 0, dims));
            scaling = RAW_PIXELS;
            g.metadata("normalize_mean", spec.normalize().mean().toString());
            g.metadata("normalize_std", spec.normalize().std().toString());
        }
        int p = 0;
        int s = 0;
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec ls = spec.layers().get(i);
            Layer layer = layers.get(i);
            Shape shape = layer.inputShape();
            if (ls instanceof LayerSpec.Dense d) {
                if (image) {
                    x = flatten(g, x);
                    image = false;
                }
                int inputs = shape.size();
                String w = g.floats(g.name("dense_w"), params, p, inputs, d.units());
                String b = g.floats(g.name("dense_b"), params, p + inputs * d.units(), d.units());
                x = op(g, "Gemm", x, w, b);
            } else if (ls instanceof LayerSpec.Conv c) {
                if (!image) {
                    x = toImage(g, x, shape);
                    image = true;
                }
                int patch = shape.channels() * c.kernel() * c.kernel();
                String w = g.floats(g.name("conv_w"), params, p, c.filters(), shape.channels(), c.kernel(), c.kernel());
                String b = g.floats(g.name("conv_b"), params, p + c.filters() * patch, c.filters());
                String y = g.name("conv");
                g.node("Conv", new String[] {x, w, b}, y)
                        .attr("kernel_shape", (long) c.kernel(), (long) c.kernel())
                        .attr("strides", (long) c.stride(), (long) c.stride())
                        .attr("pads", (long) c.padding(), (long) c.padding(), (long) c.padding(), (long) c.padding());
                x = y;
            } else if (ls instanceof LayerSpec.MaxPool m) {
                if (!image) {
                    x = toImage(g, x, shape);
                    image = true;
                }
                String y = g.name("maxpool");
                g.node("MaxPool", new String[] {x}, y)
                        .attr("kernel_shape", (long) m.size(), (long) m.size())
                        .attr("strides", (long) m.stride(), (long) m.stride());
                x = y;
            } else if (ls instanceof LayerSpec.BatchNorm bn) {
                // per channel of an image tensor, per feature of a vector: Kindling's channels either way
                int ch = shape.channels();
                String gamma = g.floats(g.name("bn_scale"), params, p, ch);
                String beta = g.floats(g.name("bn_bias"), params, p + ch, ch);
                String mean = g.floats(g.name("bn_mean"), state, s, ch);
                String var = g.floats(g.name("bn_var"), state, s + ch, ch);
                String y = g.name("batchnorm");
                g.node("BatchNormalization", new String[] {x, gamma, beta, mean, var}, y)
                        .attr("epsilon", (float) (double) bn.eps());
                x = y;
            } else if (ls instanceof LayerSpec.Relu) {
                x = op(g, "Relu", x);
            } else if (ls instanceof LayerSpec.Sigmoid) {
                x = op(g, "Sigmoid", x);
            } else if (ls instanceof LayerSpec.Tanh) {
                x = op(g, "Tanh", x);
            } else if (ls instanceof LayerSpec.Dropout) {
                // inverted dropout: the identity at inference
            } else if (ls instanceof LayerSpec.Flatten) {
                if (image) {
                    x = flatten(g, x);
                    image = false;
                }
            } else {
                throw new KindlingException("layer " + (i + 1) + ": " + ls + " has no ONNX form here");
            }
            p += layer.parameterCount();
            s += layer.stateCount();
        }
        if (image) {
            x = flatten(g, x);
        }
        String output = outputName(spec);
        if (output.equals(PROBABILITIES)) {
            g.node("Softmax", new String[] {x}, output).attr("axis", 1L);
        } else {
            g.node("Identity", new String[] {x}, output);
        }
        long[] inputDims = in.isVector() ? new long[] {in.size()} : new long[] {in.channels(), in.height(), in.width()};
        g.metadata("input_scaling", scaling);
        g.metadata("input_layout", in.isVector() ? "[N, " + in.size() + "]" : "[N, C, H, W] = [N, " + in.channels()
                + ", " + in.height() + ", " + in.width() + "]");
        String doc = "Kindling network; input: " + scaling + "; output: " + output;
        return g.toModel("kindling", INPUT, inputDims, output, new long[] {net.outputCount()}, version, doc);
    }

    private static String op(OnnxGraph g, String type, String... inputs) {
        String y = g.name(type.toLowerCase(java.util.Locale.ROOT));
        g.node(type, inputs, y);
        return y;
    }

    private static String flatten(OnnxGraph g, String x) {
        String y = g.name("flatten");
        g.node("Flatten", new String[] {x}, y).attr("axis", 1L);
        return y;
    }

    /** A [N, features] tensor viewed as Kindling's C×H×W shape of it. */
    private static String toImage(OnnxGraph g, String x, Shape shape) {
        String dims = g.int64s(g.name("shape"), -1, shape.channels(), shape.height(), shape.width());
        String y = g.name("reshape");
        g.node("Reshape", new String[] {x, dims}, y);
        return y;
    }
}
