package dev.kindling.spark.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.config.JobConfig;
import dev.kindling.config.TrainSettings;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.nn.Network;
import dev.kindling.optim.Optimizers;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.runtime.TaskGpu;
import dev.kindling.train.History;
import dev.kindling.train.Trainer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * One trial of a sweep as one Spark task: the single-machine {@link Trainer} on the training and
 * validation examples, which every executor receives once as a broadcast (and keeps for all
 * the trials it runs). Trials go in and come back as JSON, so that nothing new needs a Kryo
 * registration.
 */
public final class TrialTask implements Function<String, String> {
    static final String MODE = "task";
    private static final long serialVersionUID = 1L;
    private final Broadcast<Dataset[]> data;

    /** @param data the training examples (element 0) and the validation examples (element 1) */
    TrialTask(Broadcast<Dataset[]> data) {
        this.data = data;
    }

    /** The task's input: the trial's config, the epochs to train and what to record. */
    static String input(JobConfig config, int epochs, String id, int trial, int rung, Map<String, Object> params) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("config", config);
        in.put("epochs", epochs);
        in.put("id", id);
        in.put("trial", trial);
        in.put("rung", rung);
        in.put("params", params);
        return Json.line(in);
    }

    @Override
    public String call(String input) throws IOException {
        JsonNode in = Json.JSON.readTree(input);
        JobConfig config = Json.JSON.treeToValue(in.get("config"), JobConfig.class);
        TrainSettings plan = TrainSettings.resolve(config);
        Network net = Network.build(plan.spec(), Backends.create(plan.backend(), TaskGpu.assigned()));
        net.initialize(plan.train().seed());
        Dataset[] d = data.value();
        Dataset train = DataSources.fitted(d[0], plan.spec(), net.outputCount());
        Dataset validation = DataSources.fitted(d[1], plan.spec(), net.outputCount());
        @SuppressWarnings("unchecked")
        Map<String, Object> params = Json.JSON.convertValue(in.get("params"), LinkedHashMap.class);
        String id = in.get("id").asText();
        int epochs = in.get("epochs").asInt();
        long start = System.nanoTime();
        try {
            History h = new Trainer(net, Optimizers.create(plan.optimizer(), net.weightRanges()),
                    plan.train().withEpochs(epochs)).fit(train, validation, null);
            return Json.line(TrialRecord.of(id, in.get("trial").asInt(), in.get("rung").asInt(), params, MODE, h,
                    (System.nanoTime() - start) / 1e9));
        } catch (KindlingException e) {
            // a diverged trial is a result (ranked last), not a failed sweep
            return Json.line(TrialRecord.failed(id, in.get("trial").asInt(), in.get("rung").asInt(), params, epochs,
                    MODE, e.getMessage(), (System.nanoTime() - start) / 1e9));
        }
    }
}
