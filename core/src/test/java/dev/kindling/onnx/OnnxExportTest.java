package dev.kindling.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.kindling.TestData;
import dev.kindling.backend.Backends;
import dev.kindling.cli.Main;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import dev.kindling.optim.Optimizers;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.Trainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported models run in ONNX Runtime and give Kindling's own inference outputs, on real
 * Fashion-MNIST test images, for networks trained briefly so BatchNorm's running statistics
 * are far from their initial 0 and 1.
 */
class OnnxExportTest {
    static final int IMAGES = 300;
    static final double TOLERANCE = 1e-4;

    static Dataset train;
    static Dataset test;

    @TempDir
    Path tmp;

    @BeforeAll
    static void data() {
        IdxDirectory dir = IdxDirectory.open(TestData.fashionMnist());
        train = dir.loadTrain().subset(0, 2000);
        test = dir.loadTest().subset(0, IMAGES);
    }

    static Network trained(NetworkSpec spec, int epochs) {
        Network net = Network.build(spec, Backends.create("java"));
        net.initialize(7);
        TrainConfig config = TrainConfig.defaults().withEpochs(epochs).withBatchSize(50).withLearningRate(0.003)
                .withTrainEvalSamples(200);
        new Trainer(net, Optimizers.create("adam", net.weightRanges()), config).fit(train, null, null);
        return net;
    }

    /** Kindling's inference-mode probabilities for the test images, one row per image. */
    static float[][] kindling(Network net) {
        int features = test.featureCount();
        float[] x = new float[IMAGES * features];
        float[] t = new float[IMAGES * net.outputCount()];
        test.fillBatch(0, IMAGES, x, t, null);
        net.forward(x, t, IMAGES, false, null);
        float[] y = net.output();
        float[][] rows = new float[IMAGES][net.outputCount()];
        for (int n = 0; n < IMAGES; n++) {
            System.arraycopy(y, n * net.outputCount(), rows[n], 0, net.outputCount());
        }
        return rows;
    }

    /** ONNX Runtime's outputs for the same images, fed as the exported graph documents. */
    static float[][] onnxRuntime(Path file, Shape input) throws Exception {
        int features = test.featureCount();
        float[] x = new float[IMAGES * features];
        test.fillBatch(0, IMAGES, x, null, null);
        long[] shape = input.isVector() ? new long[] {IMAGES, input.size()}
                : new long[] {IMAGES, input.channels(), input.height(), input.width()};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, tensor))) {
            assertEquals(OnnxExporter.PROBABILITIES, session.getOutputNames().iterator().next());
            return (float[][]) result.get(0).getValue();
        }
    }

    static void assertSameOutputs(float[][] want, float[][] got) {
        assertEquals(want.length, got.length);
        double worst = 0;
        int argmaxAgree = 0;
        for (int n = 0; n < want.length; n++) {
            assertEquals(want[n].length, got[n].length);
            float sum = 0;
            for (int j = 0; j < want[n].length; j++) {
                worst = Math.max(worst, Math.abs(want[n][j] - got[n][j]));
                sum += got[n][j];
            }
            assertEquals(1f, sum, 1e-5, "probabilities of image " + n + " sum to 1");
            argmaxAgree += argmax(want[n]) == argmax(got[n]) ? 1 : 0;
        }
        assertTrue(worst <= TOLERANCE, "largest difference " + worst);
        assertEquals(want.length, argmaxAgree, "predicted classes agree");
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            best = v[j] > v[best] ? j : best;
        }
        return best;
    }

    /** A guard against a vacuous comparison: the model must predict, not output a constant. */
    static void assertLearned(float[][] probabilities) {
        int hits = 0;
        for (int n = 0; n < IMAGES; n++) {
            hits += argmax(probabilities[n]) == test.label(n) ? 1 : 0;
        }
        assertTrue(hits > 0.6 * IMAGES, "accuracy " + hits + "/" + IMAGES);
    }

    /** Running means not all 0 and variances not all 1: the exported statistics matter. */
    static void assertBatchNormTrained(Network net) {
        float[] s = net.state();
        assertTrue(s.length > 0);
        int half = s.length / 2;
        boolean moved = false;
        for (int i = 0; i < s.length; i++) {
            moved |= Math.abs(s[i] - (i % (2 * half) < half ? 0f : 1f)) > 0.05f;
        }
        assertTrue(moved, "BatchNorm running statistics still at their initial values");
    }

    @Test
    void mlpWithEveryActivationMatchesKindling() throws Exception {
        NetworkSpec spec = new NetworkSpec(Shape.vector(784), List.of(
                new LayerSpec.Dense(64, "he"), new LayerSpec.BatchNorm(null, null), new LayerSpec.Relu(),
                new LayerSpec.Dropout(0.2),
                new LayerSpec.Dense(32, "xavier"), new LayerSpec.Tanh(),
                new LayerSpec.Dense(32, "xavier"), new LayerSpec.Sigmoid(),
                new LayerSpec.Dense(10, "he")), null);
        Network net = trained(spec, 2);
        assertBatchNormTrained(net);
        Path file = tmp.resolve("mlp.onnx");
        OnnxExporter.export(net, "test", file);
        float[][] want = kindling(net);
        assertLearned(want);
        assertSameOutputs(want, onnxRuntime(file, spec.input()));
    }

    @Test
    void cnnWithBatchNormAndPoolingMatchesKindling() throws Exception {
        NetworkSpec spec = new NetworkSpec(new Shape(1, 28, 28), List.of(
                new LayerSpec.Conv(6, 3, 1, 1, null), new LayerSpec.BatchNorm(0.8, 1e-3), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, null),
                new LayerSpec.Conv(8, 3, 2, 0, null), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(3, 2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(32, null), new LayerSpec.Relu(),
                new LayerSpec.Dropout(0.3), new LayerSpec.Dense(10, null)), null);
        Network net = trained(spec, 3);
        assertBatchNormTrained(net);
        Path file = tmp.resolve("cnn.onnx");
        OnnxExporter.export(net, "test", file);
        float[][] want = kindling(net);
        assertLearned(want);
        assertSameOutputs(want, onnxRuntime(file, spec.input()));
    }

    @Test
    void aNormalisingNetworkTakesRawPixelsThroughSubAndDiv() throws Exception {
        NetworkSpec spec = new NetworkSpec(new Shape(1, 28, 28), List.of(
                new LayerSpec.Conv(4, 3, 1, 1, null), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, null),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10, null)), null,
                dev.kindling.nn.Normalization.of(train, new Shape(1, 28, 28)), null);
        Network net = trained(spec, 2);
        Path file = tmp.resolve("normalised.onnx");
        OnnxExporter.export(net, "test", file);
        float[][] want = kindling(net);
        assertLearned(want);
        // raw pixels, 0 to 255: what a server has in hand
        int features = test.featureCount();
        float[] raw = new float[IMAGES * features];
        for (int n = 0; n < IMAGES; n++) {
            for (int f = 0; f < features; f++) {
                raw[n * features + f] = test.pixel(n, f);
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(raw), new long[] {IMAGES, 1, 28, 28});
             OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, tensor))) {
            assertSameOutputs(want, (float[][]) result.get(0).getValue());
            assertEquals(OnnxExporter.RAW_PIXELS, session.getMetadata().getCustomMetadata().get("input_scaling"));
        }
    }

    @Test
    void exportCommandWritesAFileOnnxRuntimeRuns() throws Exception {
        Path config = tmp.resolve("cnn.yaml");
        Files.writeString(config, String.join("\n",
                "network:",
                "  input: [1, 28, 28]",
                "  layers:",
                "    - {type: conv, filters: 4, kernel: 5}",
                "    - {type: batchnorm}",
                "    - {type: relu}",
                "    - {type: maxpool, size: 2}",
                "    - {type: dense, units: 10}",
                ""));
        Path run = tmp.resolve("run");
        String data = TestData.fashionMnist().toString();
        Result r = cli("train", "--data", data, "--out", run.toString(), "--master", "single", "--config",
                config.toString(), "--epochs", "1", "--limit", "2000");
        assertEquals(0, r.code(), r.err());
        Path out = tmp.resolve("served").resolve("model.onnx");
        Result e = cli("export", "--model", run.resolve("model").toString(), "--format", "onnx", "--out", out.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains(out.toString()), e.out());
        try (Stream<Path> files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList(), "nothing but the exported file is left");
        }
        Network net = ModelFile.load(run.resolve("model"), Backends.create("java"));
        assertBatchNormTrained(net);
        float[][] want = kindling(net);
        assertLearned(want);
        assertSameOutputs(want, onnxRuntime(out, net.inputShape()));
    }

    @Test
    void exportCommandRejectsBadInput() {
        Result format = cli("export", "--model", tmp.toString(), "--format", "pmml", "--out", tmp.resolve("m").toString());
        assertEquals(2, format.code());
        assertTrue(format.err().contains("format") && format.err().contains("pmml"), format.err());
        Path missing = tmp.resolve("no-model");
        Result model = cli("export", "--model", missing.toString(), "--out", tmp.resolve("m.onnx").toString());
        assertEquals(1, model.code());
        assertTrue(model.err().contains(missing.toString()), model.err());
        assertTrue(Files.notExists(tmp.resolve("m.onnx")));
    }

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
