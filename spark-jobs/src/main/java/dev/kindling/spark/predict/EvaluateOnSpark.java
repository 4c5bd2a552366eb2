package dev.kindling.spark.predict;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.config.EvaluateJob;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.spark.data.DataOptions;
import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.data.Example;
import dev.kindling.spark.data.Examples;
import dev.kindling.spark.data.HadoopIdxDirectory;
import dev.kindling.spark.io.ModelDirectory;
import dev.kindling.spark.runtime.SparkSettings;
import dev.kindling.spark.runtime.SparkStart;
import dev.kindling.spark.train.EvaluationSum;
import dev.kindling.train.Evaluation;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.SparkSession;

/**
 * {@code kindling evaluate} on data read as {@code train} reads it. Without data options it
 * uses those the model records (the split ones only for the location it was trained on, so a
 * held-out test set is the same one), and image folders must name the model's classes. The
 * examples are scored where they lie; the driver only adds up each partition's sums.
 */
public final class EvaluateOnSpark {
    /** Examples per forward pass, as the single-machine evaluation takes them. */
    static final int BATCH = 500;

    private EvaluateOnSpark() {
    }

    public static int run(EvaluateJob job, PrintWriter out) {
        SparkConf conf = SparkSettings.forCommand(job.master(), "evaluate");
        Configuration hadoop = SparkSettings.hadoop(conf);
        ModelFile.Contents model = ModelDirectory.read(job.model(), hadoop);
        Map<String, Object> recorded = model.metadata().get("data") instanceof Map<?, ?> m
                ? Json.JSON.convertValue(m, new TypeReference<Map<String, Object>>() { }) : Map.of();
        Map<String, String> options = job.dataOptions();
        if (options == null) {
            options = DataSources.recordedOptions(recorded, job.data(), hadoop);
        }
        DataSource source = DataSources.open(job.data(), new DataOptions(options), hadoop);
        Object classes = recorded.get("classes");
        if (classes instanceof List<?> names && !source.classNames().isEmpty() && !names.equals(source.classNames())) {
            throw new KindlingException(job.data() + ": the class folders (" + String.join(", ", source.classNames())
                    + ") are not the classes the model was trained on (" + names + ")");
        }
        Network net = ModelFile.toNetwork(job.model(), model, Backends.create(Backends.onDriver(job.backend())));
        SparkSession spark = SparkStart.session(conf);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Examples test = source.test(spark).fitted(net.spec(), net.outputCount());
            Evaluation e = evaluate(sc, model, test, job.backend());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("accuracy", e.accuracy());
            result.put("loss", e.loss());
            result.put("examples", e.examples());
            out.println(Json.line(result));
            return 0;
        } finally {
            spark.stop();
        }
    }

    /**
     * The model's loss and accuracy on {@code data} (fitted to it), each partition scored where
     * it lies, on {@code backend}: only the sums of the partitions reach the driver.
     */
    static Evaluation evaluate(JavaSparkContext sc, ModelFile.Contents model, Examples data, String backend) {
        BroadcastModel broadcast = BroadcastModel.of(sc, model, backend);
        try {
            return data.rdd().mapPartitions(new Evaluate(broadcast)).fold(new EvaluationSum(), new Merge())
                    .evaluation();
        } finally {
            broadcast.destroy();
        }
    }

    /** Sums one partition's loss, hits and examples, in batches of {@link #BATCH}. */
    private record Evaluate(BroadcastModel model) implements FlatMapFunction<Iterator<Example>, EvaluationSum> {
        @Override
        public Iterator<EvaluationSum> call(Iterator<Example> examples) {
            EvaluationSum sum = new EvaluationSum();
            if (!examples.hasNext()) {
                return List.of(sum).iterator();
            }
            ExampleBatches batches = new ExampleBatches(model.network(), examples, BATCH);
            while (batches.next()) {
                sum.merge(new EvaluationSum(batches.loss(), batches.correct(), batches.size()));
            }
            return List.of(sum).iterator();
        }
    }

    private static final class Merge implements Function2<EvaluationSum, EvaluationSum, EvaluationSum> {
        private static final long serialVersionUID = 1L;

        @Override
        public EvaluationSum call(EvaluationSum a, EvaluationSum b) {
            return a.merge(b);
        }
    }
}
