package dev.kindling.cli;

import dev.kindling.UsageException;
import dev.kindling.backend.Backends;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.onnx.OnnxExporter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kindling export}: a saved model in another format, for serving without Kindling. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a saved model for inference elsewhere (ONNX: input is float pixels / 255, "
                + "[N, C, H, W] or [N, features] as the network takes them; output the class probabilities).")
public final class ExportCommand implements Callable<Integer> {
    static final String ONNX = "onnx";

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory (OUT/model).")
    String model;

    @Option(names = "--format", defaultValue = ONNX, paramLabel = "FORMAT", description = "onnx (the default).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write (FILE.onnx).")
    String out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!ONNX.equals(format)) {
            throw new UsageException("format: unknown value \"" + format + "\" (expected " + ONNX + ")");
        }
        Path modelDir = TrainCommand.localPath("model", model);
        Path file = TrainCommand.localPath("out", out);
        // only the layout of the layers is read, never run: the plainest kernels do
        Network net = ModelFile.load(modelDir, Backends.create("loop"));
        String version = Main.class.getPackage().getImplementationVersion();
        OnnxExporter.export(net, version == null ? "dev" : version, file);
        spec.commandLine().getOut().printf("kindling: exported %s to %s (ONNX opset 13; input \"%s\" %s, output \"%s\")%n",
                modelDir, file, OnnxExporter.INPUT, OnnxExporter.PIXEL_SCALING, OnnxExporter.outputName(net.spec()));
        return 0;
    }
}
