package dev.kindling.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.config.Defaults;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.spark.TestSpark;
import dev.kindling.spark.ml.KindlingClassificationModel;
import dev.kindling.spark.ml.KindlingClassifier;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark ML estimator on local[2] with real Fashion-MNIST written to Parquet on a Hadoop
 * path: in a Pipeline, under CrossValidator, and saved and loaded with ML persistence.
 */
public class KindlingClassifierTest {
    @TempDir
    static Path tmp;

    static SparkSession spark;
    static org.apache.spark.sql.Dataset<Row> train;
    static org.apache.spark.sql.Dataset<Row> test;

    @BeforeAll
    static void data() {
        spark = TestSpark.session();
        train = parquet(TestSpark.train(3000), "train");
        test = parquet(TestSpark.test(1000), "test");
    }

    /** Writes {@code d} as Parquet (an int label, a vector of pixel intensities) and reads it back. */
    static org.apache.spark.sql.Dataset<Row> parquet(Dataset d, String name) {
        write(d, name);
        return read(name);
    }

    /** What {@link #parquet} wrote as {@code name}, read by the shared Spark. */
    static org.apache.spark.sql.Dataset<Row> read(String name) {
        return spark.read().parquet(tmp.resolve(name + ".parquet").toUri().toString()).orderBy("id");
    }

    private static void write(Dataset d, String name) {
        List<Row> rows = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) {
            double[] pixels = new double[d.featureCount()];
            for (int f = 0; f < pixels.length; f++) {
                pixels[f] = d.pixel(i, f);
            }
            rows.add(RowFactory.create(i, d.label(i), Vectors.dense(pixels)));
        }
        StructType schema = new StructType(new StructField[] {
            new StructField("id", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("label", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("image", new VectorUDT(), false, Metadata.empty())});
        spark.createDataFrame(rows, schema).write().parquet(tmp.resolve(name + ".parquet").toUri().toString());
    }

    static KindlingClassifier classifier() {
        return new KindlingClassifier().setLayers(new int[] {784, 64, 10}).setMaxIter(3).setBlockSize(50)
                .setNumPartitions(2).setSeed(5);
    }

    static Pipeline pipeline(KindlingClassifier classifier) {
        VectorAssembler assemble = new VectorAssembler().setInputCols(new String[] {"image"}).setOutputCol("features");
        return new Pipeline().setStages(new PipelineStage[] {assemble, classifier});
    }

    static double accuracy(org.apache.spark.sql.Dataset<Row> predictions) {
        return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predictions);
    }

    @Test
    void pipelineFitsPredictsAndSurvivesSaveAndLoad() throws Exception {
        PipelineModel model = pipeline(classifier()).fit(train);
        org.apache.spark.sql.Dataset<Row> predicted = model.transform(test);
        double accuracy = accuracy(predicted);
        assertTrue(accuracy > 0.75, "accuracy " + accuracy);

        List<Row> rows = predicted.select("id", "rawPrediction", "probability", "prediction").collectAsList();
        for (Row r : rows) {
            Vector p = r.getAs("probability");
            double sum = 0;
            for (double v : p.toArray()) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-6);
            assertEquals(p.argmax(), r.<Double>getAs("prediction"), 0.0);
            assertEquals(((Vector) r.getAs("rawPrediction")).argmax(), p.argmax());
        }

        // the probabilities are Kindling's own forward pass on pixel / 255
        KindlingClassificationModel stage = (KindlingClassificationModel) model.stages()[1];
        dev.kindling.nn.Network net = stage.toNetwork();
        List<Row> some = predicted.select("image", "probability").limit(20).collectAsList();
        for (Row r : some) {
            double[] pixels = ((Vector) r.getAs("image")).toArray();
            float[] x = new float[pixels.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (pixels[i] / 255);
            }
            net.forward(x, new float[10], 1, false, null);
            double[] p = ((Vector) r.getAs("probability")).toArray();
            for (int j = 0; j < 10; j++) {
                assertEquals(net.output()[j], p[j], 1e-6);
            }
        }

        String location = tmp.resolve("saved-pipeline").toUri().toString();
        model.write().overwrite().save(location);
        Path modelDir;
        try (Stream<Path> stages = Files.list(tmp.resolve("saved-pipeline").resolve("stages"))) {
            modelDir = stages.filter(p -> p.getFileName().toString().contains(stage.uid())).findFirst().orElseThrow()
                    .resolve("model");
        }
        // the network is stored as a Kindling model directory: the format kindling evaluate reads
        JsonNode description = Json.JSON.readTree(modelDir.resolve(ModelFile.DESCRIPTION).toFile());
        assertEquals(ModelFile.FORMAT, description.get("format").asText());
        assertArrayEquals(stage.toNetwork().parameters(), ModelFile.read(modelDir).parameters());

        PipelineModel loaded = PipelineModel.load(location);
        List<Row> again = loaded.transform(test).select("id", "rawPrediction", "probability", "prediction")
                .collectAsList();
        assertEquals(rows, again);
    }

    @Test
    void anUnfittedPipelineSavesAndLoadsWithItsParams() throws Exception {
        String location = tmp.resolve("saved-estimator").toUri().toString();
        KindlingClassifier classifier = classifier().setNetwork("{input: [1, 28, 28], layers: [{type: dense, units: 10}]}")
                .setOptimizer("sgd").setStepSize(0.05).setMode("local").setLocalSteps(3);
        pipeline(classifier).write().overwrite().save(location);
        KindlingClassifier loaded = (KindlingClassifier) Pipeline.load(location).getStages()[1];
        assertEquals(classifier.uid(), loaded.uid());
        int defined = 0;
        for (Param<?> p : classifier.params()) {
            @SuppressWarnings("unchecked")
            Param<Object> param = (Param<Object>) p;
            assertEquals(classifier.isDefined(param), loaded.isDefined(loaded.getParam(param.name())), param.name());
            if (classifier.isDefined(param)) {
                defined++;
                assertEquals(param.jsonEncode(classifier.getOrDefault(param)),
                        param.jsonEncode(loaded.getOrDefault(loaded.getParam(param.name()))), param.name());
            }
        }
        assertEquals(20, defined);
        assertArrayEquals(new int[] {784, 64, 10}, (int[]) loaded.getOrDefault(loaded.layers()));
        assertEquals(0.05, (Double) loaded.getOrDefault(loaded.stepSize()), 0.0);
        assertEquals("local", loaded.getOrDefault(loaded.mode()));
    }

    @Test
    void crossValidatorPicksTheBetterLearningRate() {
        KindlingClassifier classifier = classifier().setMaxIter(2);
        Pipeline pipeline = pipeline(classifier);
        ParamMap[] grid = new ParamGridBuilder().addGrid(classifier.stepSize(), new double[] {1e-6, 3e-3}).build();
        CrossValidator cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(grid).setNumFolds(2)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).setSeed(3);
        CrossValidatorModel model = cv.fit(train.limit(1500));
        double[] metrics = model.avgMetrics();
        assertEquals(2, metrics.length);
        assertTrue(metrics[1] > metrics[0] + 0.1, "accuracy by learning rate: " + metrics[0] + ", " + metrics[1]);
        PipelineModel best = (PipelineModel) model.bestModel();
        KindlingClassificationModel stage = (KindlingClassificationModel) best.stages()[1];
        KindlingClassifier parent = (KindlingClassifier) stage.parent();
        assertEquals(3e-3, (Double) parent.getOrDefault(parent.stepSize()), 0.0);
        double accuracy = accuracy(best.transform(test));
        // 2 epochs on 1,500 examples: 0.69 to 0.75 over seeds
        assertTrue(accuracy > 0.65, "test accuracy " + accuracy + " after cross-validation: " + metrics[0] + ", " + metrics[1]);
    }

    @Test
    void adamwDecaysTheWeightsOnceInsideTheOptimizer() {
        // AdamW's decay is decoupled: it shrinks the weights inside the optimizer and is not also
        // added to the gradient as L2. The reference is the single-machine trainer doing exactly
        // that, which sync mode matches to rounding.
        Dataset examples = TestSpark.train(400);
        org.apache.spark.sql.Dataset<Row> frame = parquet(examples, "adamw-decay");
        float decay = 0.5f;
        KindlingClassificationModel model = classifier().setOptimizer("adamw").setWeightDecay(decay)
                .setStepSize(0.01).setMaxIter(1).setFeaturesCol("image").fit(frame);
        float[] got = model.toNetwork().parameters();

        Network reference = Network.build(NetworkSpec.mlp("784-64-10", Defaults.INIT, 0), Backends.create("auto"));
        reference.initialize(5);
        OptimizerConfig adamw = new OptimizerConfig("adamw", null, null, null, null, null, decay);
        TrainConfig once = TrainConfig.defaults().withBatchSize(50).withEpochs(1).withSeed(5).withLearningRate(0.01)
                .withWeightDecay(0).withShards(2); // sampled as the classifier's 2 partitions are
        new Trainer(reference, Optimizers.create(adamw, reference.weightRanges()), once).fit(examples, null, null);
        float[] want = reference.parameters();

        assertEquals(want.length, got.length);
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < want.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
            maxAbs = Math.max(maxAbs, Math.abs(want[i]));
        }
        // float rounding of sums over two shards against one batch: 1e-5 of the largest parameter; twice the
        // decay is 0.15 off
        assertTrue(maxDiff < 1e-4 * Math.max(1, maxAbs),
                "max |difference| from decoupled decay alone " + maxDiff + " (max |param| " + maxAbs + ")");
    }

    @Test
    void fitLeavesTheRowsOnTheExecutors() throws Exception {
        // the 3,000 training rows decode to 2.3 MB: gathering them on the driver would fail this Spark
        TestSpark.stop();
        try {
            KindlingClassificationModel model = TestSpark.withResultsUnder1MiB(() -> {
                spark = TestSpark.session();
                return classifier().setLayers(new int[] {784, 16, 10}).setMaxIter(1).setFeaturesCol("image")
                        .fit(read("train"));
            });
            assertEquals(10, model.numClasses());
            assertTrue(accuracy(model.transform(read("test"))) > 0.5, "a model trained on the rows");
        } finally {
            TestSpark.stop();
            spark = TestSpark.session();
            train = read("train");
            test = read("test");
        }
    }

    @Test
    void badFeaturesAndLabelsAreNamed() {
        org.apache.spark.sql.Dataset<Row> scaled = train.limit(200).selectExpr("id", "label", "image AS raw")
                .withColumn("features", org.apache.spark.sql.functions.lit(null).cast(new VectorUDT()));
        KindlingException nulls = assertThrows(KindlingException.class, () -> classifier().fit(scaled));
        assertTrue(nulls.getMessage().contains("\"features\" is null"), nulls.getMessage());

        org.apache.spark.sql.Dataset<Row> halves = spark.createDataFrame(List.of(
                RowFactory.create(1.0, Vectors.dense(new double[784]).copy()),
                RowFactory.create(2.0, Vectors.sparse(784, new int[] {7}, new double[] {0.5}))),
                new StructType(new StructField[] {
                    new StructField("label", DataTypes.DoubleType, false, Metadata.empty()),
                    new StructField("features", new VectorUDT(), false, Metadata.empty())}));
        KindlingException pixel = assertThrows(KindlingException.class, () -> classifier().fit(halves));
        assertTrue(pixel.getMessage().contains("0.5") && pixel.getMessage().contains("index 7")
                && pixel.getMessage().contains("features"), pixel.getMessage());

        org.apache.spark.sql.Dataset<Row> assembled = ((VectorAssembler) pipeline(classifier()).getStages()[0])
                .transform(train.limit(100));
        KindlingException classes = assertThrows(KindlingException.class,
                () -> classifier().setLayers(new int[] {784, 10, 2}).fit(assembled));
        assertTrue(classes.getMessage().contains("label 9") && classes.getMessage().contains("network has 2"),
                classes.getMessage());

        KindlingException noNetwork = assertThrows(KindlingException.class,
                () -> new KindlingClassifier().fit(halves));
        assertTrue(noNetwork.getMessage().contains("layers"), noNetwork.getMessage());
    }
}
