package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.Backends;
import dev.kindling.init.Initializer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Forward-pass facts that the gradient check cannot see. */
class LayersTest {

    @Test
    void convolutionMatchesTheDirectSum() {
        Shape in = new Shape(2, 5, 6);
        Conv2D conv = new Conv2D(in, 3, 3, 2, 1, Initializer.parse("init", "he"), Backends.create("loop"));
        float[] p = new float[conv.parameterCount()];
        conv.bind(p, new float[p.length], 0, new float[0], 0);
        conv.initialize(new SplittableRandom(1));
        for (int f = 0; f < 3; f++) {
            p[3 * 2 * 9 + f] = 0.1f * (f + 1); // biases
        }
        SplittableRandom rng = new SplittableRandom(2);
        int batch = 2;
        float[] x = new float[batch * in.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] y = conv.forward(x, batch, false, null).clone();
        Shape out = conv.outputShape();
        assertEquals(new Shape(3, 3, 3), out);
        for (int n = 0; n < batch; n++) {
            for (int f = 0; f < 3; f++) {
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        double s = p[3 * 18 + f];
                        for (int c = 0; c < 2; c++) {
                            for (int i = 0; i < 3; i++) {
                                for (int j = 0; j < 3; j++) {
                                    int yy = oy * 2 - 1 + i;
                                    int xx = ox * 2 - 1 + j;
                                    if (yy >= 0 && yy < 5 && xx >= 0 && xx < 6) {
                                        s += p[f * 18 + c * 9 + i * 3 + j] * x[n * in.size() + c * 30 + yy * 6 + xx];
                                    }
                                }
                            }
                        }
                        float got = y[n * out.size() + f * 9 + oy * 3 + ox];
                        assertEquals(s, got, 1e-4, "n=" + n + " f=" + f + " at " + oy + "," + ox);
                    }
                }
            }
        }
    }

    @Test
    void maxPoolPicksTheMaximumAndRoutesTheGradientToIt() {
        MaxPool2D pool = new MaxPool2D(new Shape(1, 4, 4), 2, 2);
        float[] x = {1, 2, 5, 0, 3, 4, 1, 1, 0, 0, 9, 8, 0, 7, 6, 6};
        assertArrayEquals(new float[] {4, 5, 7, 9}, pool.forward(x, 1, false, null));
        float[] dx = pool.backward(new float[] {1, 2, 3, 4}, 1, true);
        assertArrayEquals(new float[] {0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 4, 0, 0, 3, 0, 0}, dx);
    }

    @Test
    void maxPoolSendsEachGradientToTheFirstMaximumOfItsWindowOnly() {
        // ReLU-like input: many windows tie at 0, others at a repeated value; the winner is
        // the first maximum in the order top-left, top-right, bottom-left, bottom-right.
        Shape in = new Shape(3, 4, 6);
        MaxPool2D pool = new MaxPool2D(in, 2, 2);
        SplittableRandom rng = new SplittableRandom(9);
        int batch = 2;
        float[] x = new float[batch * in.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(0f, (float) Math.round(rng.nextGaussian() * 2) / 2f);
        }
        float[] y = pool.forward(x, batch, true, null).clone();
        float[] dout = new float[y.length];
        for (int i = 0; i < dout.length; i++) {
            dout[i] = i % 3 == 0 ? -(i + 1) : i + 1;
        }
        float[] dx = pool.backward(dout, batch, true);
        float[] expected = new float[x.length];
        int o = 0;
        for (int plane = 0; plane < batch * in.channels(); plane++) {
            for (int oy = 0; oy < 2; oy++) {
                for (int ox = 0; ox < 3; ox++, o++) {
                    int top = plane * 24 + 2 * oy * 6 + 2 * ox;
                    int[] window = {top, top + 1, top + 6, top + 7};
                    float max = Math.max(Math.max(x[top], x[top + 1]), Math.max(x[top + 6], x[top + 7]));
                    assertEquals(max, y[o], "y[" + o + "]");
                    for (int at : window) {
                        if (x[at] == max) {
                            expected[at] = dout[o];
                            break;
                        }
                    }
                }
            }
        }
        assertArrayEquals(expected, dx);
    }

    @Test
    void convolutionBiasSumMatchesADoubleSumForEveryLengthAndOffset() {
        SplittableRandom rng = new SplittableRandom(9);
        float[] x = new float[700];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        for (int off : new int[] {0, 1, 5}) {
            for (int len : new int[] {0, 1, 7, 8, 9, 17, 576, 690}) {
                double expected = 0;
                for (int i = off; i < off + len; i++) {
                    expected += x[i];
                }
                assertEquals(expected, Conv2D.sum(x, off, len), 1e-5 * Math.max(1, len), "off " + off + " len " + len);
            }
        }
    }

    @Test
    void reluPassesTheGradientExactlyWhereTheOutputIsPositive() {
        Shape shape = Shape.vector(37);
        Relu relu = new Relu(shape);
        SplittableRandom rng = new SplittableRandom(5);
        int batch = 3;
        float[] x = new float[batch * shape.size()];
        float[] dout = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            // Exact zeros, both signs, and tiny values: the edges of the branch-free mask.
            x[i] = i % 7 == 0 ? 0f : i % 11 == 0 ? -0f : i % 13 == 0 ? Float.MIN_VALUE : (float) rng.nextGaussian();
            dout[i] = i % 5 == 0 ? -0f : (float) rng.nextGaussian();
        }
        float[] y = relu.forward(x, batch, true, null);
        float[] dx = relu.backward(dout, batch, true);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.max(x[i], 0f), y[i], "y[" + i + "]");
            assertEquals(Float.floatToRawIntBits(x[i] > 0f ? dout[i] : 0f), Float.floatToRawIntBits(dx[i]),
                    "dx[" + i + "] for x " + x[i] + ", dout " + dout[i]);
        }
    }

    @Test
    void dropoutIsIdentityInInferenceAndKeepsTheMeanInTraining() {
        Dropout d = new Dropout(Shape.vector(10_000), 0.3);
        float[] x = new float[10_000];
        java.util.Arrays.fill(x, 1f);
        assertSame(x, d.forward(x, 1, false, null));
        float[] y = d.forward(x, 1, true, new SplittableRandom(5));
        double mean = 0;
        int zeros = 0;
        for (float v : y) {
            mean += v;
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(1.0, mean / y.length, 0.03);
        assertEquals(0.3, zeros / (double) y.length, 0.02);
    }

    @Test
    void batchNormNormalisesInTrainingAndUsesRunningStatisticsInInference() {
        BatchNorm bn = new BatchNorm(Shape.vector(2), 0.0, 1e-5); // momentum 0: running stats = last batch
        float[] p = new float[4];
        float[] s = new float[4];
        bn.bind(p, new float[4], 0, s, 0);
        bn.initialize(null);
        float[] x = {1, 10, 3, 20, 5, 30};
        float[] y = bn.forward(x, 3, true, null).clone();
        assertEquals(0, y[0] + y[2] + y[4], 1e-5);
        assertEquals(-1.2247, y[0], 1e-3);
        assertEquals(3, s[0], 1e-6);      // running mean of feature 0
        assertEquals(8f / 3, s[2], 1e-5); // running (biased) variance of feature 0
        float[] z = bn.forward(new float[] {3, 20}, 1, false, null);
        assertEquals(0, z[0], 1e-4);
        assertEquals(0, z[1], 1e-4);
    }

    @Test
    void softmaxOutputsAreProbabilities() {
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(3);
        float[] z = {1000, 1001, 999, -5, 0, 5};
        double l = loss.forward(z, new float[] {0, 1, 0, 1, 0, 0}, 2);
        float[] y = loss.output();
        assertEquals(1, y[0] + y[1] + y[2], 1e-6);
        assertEquals(1, y[3] + y[4] + y[5], 1e-6);
        assertTrue(Double.isFinite(l), "large logits stay finite");
        assertEquals(-Math.log(y[1]) - Math.log(y[3]), l, 1e-3);
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        NetworkSpec spec = NetworkSpec.mlp("20-8-3", "he", 0);
        Network a = Network.build(spec, Backends.create("loop"));
        Network b = Network.build(spec, Backends.create("loop"));
        Network c = Network.build(spec, Backends.create("loop"));
        a.initialize(9);
        b.initialize(9);
        c.initialize(10);
        assertArrayEquals(a.parameters(), b.parameters());
        assertNotEquals(java.util.Arrays.toString(a.parameters()), java.util.Arrays.toString(c.parameters()));
    }

    @Test
    void initializersHaveTheirTextbookSpread() {
        for (String init : new String[] {"gaussian", "xavier", "he"}) {
            Network net = Network.build(NetworkSpec.mlp("400-300-2", init, 0), Backends.create("loop"));
            net.initialize(1);
            double sq = 0;
            int n = 400 * 300;
            for (int i = 0; i < n; i++) {
                sq += net.parameters()[i] * net.parameters()[i];
            }
            double std = Math.sqrt(sq / n);
            double want = switch (init) {
                case "gaussian" -> 0.01;
                case "xavier" -> Math.sqrt(1.0 / 400);
                default -> Math.sqrt(2.0 / 400);
            };
            assertEquals(want, std, want * 0.02, init);
            for (int j = 0; j < 300; j++) {
                assertEquals(0f, net.parameters()[n + j], "bias starts at zero");
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {SoftmaxCrossEntropy.NAME, IdentityMse.NAME})
    void aForwardWithoutTargetsGivesTheSameOutputsAndNoLoss(String loss) {
        NetworkSpec spec = new NetworkSpec(Shape.vector(6), java.util.List.of(new LayerSpec.Dense(4, "he")), loss);
        Network net = Network.build(spec, Backends.create("loop"));
        net.initialize(3);
        SplittableRandom rng = new SplittableRandom(4);
        float[] x = new float[2 * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] t = new float[2 * 4];
        t[1] = 1;
        t[4] = 1;
        double withTargets = net.forward(x, t, 2, false, null);
        float[] expected = net.output().clone();
        assertTrue(withTargets > 0 && Double.isFinite(withTargets), "loss " + withTargets);
        assertTrue(Double.isNaN(net.forward(x, null, 2, false, null)));
        assertArrayEquals(expected, net.output());
    }
}
