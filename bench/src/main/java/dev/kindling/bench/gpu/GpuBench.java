package dev.kindling.bench.gpu;

import dev.kindling.backend.Backend;
import dev.kindling.backend.Backends;
import dev.kindling.backend.CudaBackend;
import dev.kindling.data.Dataset;
import dev.kindling.nn.LayerSpec;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Shape;
import dev.kindling.optim.Optimizers;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.History;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The CUDA backend against the CPU one on the same training loop, one thread: the MLP and the
 * CNN of the one-machine comparison, and a wide MLP (784-4096-4096-10) whose GEMMs are large
 * enough for the GPU to pay for the transfers. Examples/s of Kindling's own Trainer (Adam,
 * batch 100), median over the epochs after the first; the data are random 28×28 images with
 * a learnable label (throughput does not depend on what the pixels show, and the GPU machine
 * need not hold Fashion-MNIST). Writes a Markdown table to the given file and to stdout.
 *
 * <p>Only core's classes are used, so that this runs from the small kit scripts/gpu-check
 * carries to a GPU machine: {@code java -cp KIT/lib/* dev.kindling.bench.gpu.GpuBench OUT.md}.
 */
public final class GpuBench {
    private static final int BATCH = 100;

    private GpuBench() {
    }

    record Model(String name, NetworkSpec spec, int examples, int epochs) {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "gpu-bench.md");
        List<Model> models = List.of(
                new Model("MLP 784-100-10", NetworkSpec.mlp("784-100-10", "he", 0), 20_000, 4),
                new Model("CNN conv 5x5x20, pool 2, dense 100", new NetworkSpec(new Shape(1, 28, 28), List.of(
                        new LayerSpec.Conv(20, 5, 1, 0, "he"), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
                        new LayerSpec.Flatten(), new LayerSpec.Dense(100, "he"), new LayerSpec.Relu(),
                        new LayerSpec.Dense(10, "he")), null), 4_000, 4),
                new Model("wide MLP 784-4096-4096-10", NetworkSpec.mlp("784-4096-4096-10", "he", 0), 2_000, 4));
        List<String> backends = new ArrayList<>(List.of("blas"));
        String cudaNote;
        if (CudaBackend.isAvailable()) {
            backends.add("cuda");
            cudaNote = CudaBackend.library() + ", " + CudaBackend.deviceCount() + " device(s)";
        } else {
            cudaNote = "CUDA unavailable: " + CudaBackend.unavailableReason();
        }
        StringBuilder md = new StringBuilder();
        md.append("| model | parameters | ").append(String.join(" examples/s | ", backends)).append(" examples/s |");
        md.append(backends.size() > 1 ? " cuda / blas |\n" : "\n");
        md.append("|---|---:|").append("---:|".repeat(backends.size())).append(backends.size() > 1 ? "---:|\n" : "\n");
        for (Model m : models) {
            double[] rates = new double[backends.size()];
            int params = 0;
            for (int i = 0; i < backends.size(); i++) {
                Backend backend = Backends.create(backends.get(i));
                Network net = Network.build(m.spec(), backend);
                net.initialize(1);
                params = net.parameters().length;
                rates[i] = examplesPerSecond(net, m);
                System.err.printf(Locale.ROOT, "gpu-bench: %s on %s: %,.0f examples/s%n", m.name(), backend, rates[i]);
            }
            md.append(String.format(Locale.ROOT, "| %s | %,d |", m.name(), params));
            for (double r : rates) {
                md.append(String.format(Locale.ROOT, " %,.0f |", r));
            }
            if (rates.length > 1) {
                md.append(String.format(Locale.ROOT, " %.2f× |", rates[1] / rates[0]));
            }
            md.append('\n');
        }
        md.append("\nOne thread, batch ").append(BATCH).append(", Adam; median examples/s over epochs 2..N. ")
                .append(cudaNote).append(".\n");
        Files.writeString(out, md.toString());
        System.out.print(md);
    }

    static double examplesPerSecond(Network net, Model m) {
        Dataset data = randomImages(m.examples(), 28, 10, 7);
        TrainConfig config = TrainConfig.defaults().withEpochs(m.epochs()).withBatchSize(BATCH).withSeed(3)
                .withTrainEvalSamples(BATCH);
        History h = new Trainer(net, Optimizers.create("adam", net.weightRanges()), config).fit(data, null, null);
        double[] rates = h.epochs().stream().skip(1).mapToDouble(EpochMetrics::examplesPerSecond).sorted().toArray();
        return rates[rates.length / 2];
    }

    static Dataset randomImages(int count, int side, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[count * side * side];
        byte[] labels = new byte[count];
        for (int n = 0; n < count; n++) {
            labels[n] = (byte) rng.nextInt(classes);
            Arrays.fill(pixels, n * side * side, (n + 1) * side * side, (byte) (20 * labels[n]));
            for (int i = 0; i < side * side; i += 7) {
                pixels[n * side * side + i] = (byte) rng.nextInt(256);
            }
        }
        return new Dataset("random", 1, side, side, classes, pixels, labels);
    }
}
