package dev.kindling.cli;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.train.Evaluation;
import dev.kindling.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code kindling evaluate}: test-set loss and accuracy of a saved model, as one JSON object. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on the test set (t10k files) of an IDX directory.")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory (OUT/model).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "IDX dataset directory.")
    Path data;

    @Option(names = "--backend", defaultValue = "auto", description = "auto|blas|java|loop.")
    String backend;

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public Integer call() {
        Network net = ModelFile.load(model, Backends.create(backend));
        Dataset test = IdxDirectory.open(data).loadTest();
        if (!net.spec().accepts(Trainer.shapeOf(test))) {
            throw new KindlingException(data + ": examples of shape " + Trainer.shapeOf(test)
                    + " do not fit the model's input " + net.spec().input() + " (" + model + ")");
        }
        Evaluation e = Trainer.evaluate(net, test, 500);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("accuracy", e.accuracy());
        result.put("loss", e.loss());
        result.put("examples", e.examples());
        out().println(Json.line(result));
        return 0;
    }
}
