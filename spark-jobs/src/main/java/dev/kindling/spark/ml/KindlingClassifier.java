package dev.kindling.spark.ml;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.config.Defaults;
import dev.kindling.config.JobConfig;
import dev.kindling.config.TrainSettings;
import dev.kindling.io.Json;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.SoftmaxCrossEntropy;
import dev.kindling.optim.AdamW;
import dev.kindling.spark.data.Examples;
import dev.kindling.spark.train.Shards;
import dev.kindling.spark.train.SparkTrainer;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * Kindling's trainer as a Spark ML estimator, in the manner of
 * {@code MultilayerPerceptronClassifier}: {@code fit} trains on the DataFrame's
 * {@code featuresCol} vectors (pixel intensities, whole numbers 0 to 255) and {@code labelCol}
 * class indices with the same distributed {@link SparkTrainer} as {@code kindling train}, and
 * returns a {@link KindlingClassificationModel}. The network is {@code layers} (an MLP: input
 * size, ReLU hidden sizes, output size) or {@code network} (a network description in JSON or
 * YAML, as a config file's {@code network:}). Works in a Pipeline and under CrossValidator.
 */
public final class KindlingClassifier
        extends ProbabilisticClassifier<Vector, KindlingClassifier, KindlingClassificationModel>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final IntArrayParam layers;
    private final Param<String> network;
    private final Param<String> init;
    private final DoubleParam dropout;
    private final Param<String> optimizer;
    private final DoubleParam stepSize;
    private final Param<String> schedule;
    private final IntParam blockSize;
    private final IntParam maxIter;
    private final LongParam seed;
    private final DoubleParam weightDecay;
    private final Param<String> mode;
    private final IntParam localSteps;
    private final IntParam numPartitions;
    private final Param<String> backend;

    public KindlingClassifier() {
        this(Identifiable.randomUID("kindling"));
    }

    public KindlingClassifier(String uid) {
        this(ConstructionUid.begin(uid), true);
    }

    private KindlingClassifier(String uid, boolean begun) {
        this.uid = uid;
        ConstructionUid.end();
        layers = new IntArrayParam(this, "layers", "MLP sizes from input to output, e.g. [784, 100, 10]: "
                + "ReLU hidden layers, softmax output (or give network)");
        network = new Param<>(this, "network", "the network as JSON or YAML ({\"input\": [1, 28, 28], "
                + "\"layers\": [...]}), as a config file's network; takes precedence over layers");
        init = new Param<>(this, "init", "initial weights of the layers shorthand: gaussian[:STD], xavier or he");
        dropout = new DoubleParam(this, "dropout", "dropout rate after each hidden layer of the layers shorthand",
                ParamValidators.inRange(0, 1, true, false));
        optimizer = new Param<>(this, "optimizer", "sgd, momentum, nesterov, adagrad, rmsprop, adam or adamw");
        stepSize = new DoubleParam(this, "stepSize", "learning rate (default: the optimizer's own)",
                ParamValidators.gt(0));
        schedule = new Param<>(this, "schedule", "learning-rate schedule: constant, step:EVERY:GAMMA or cosine[:FLOOR]");
        blockSize = new IntParam(this, "blockSize", "examples in a global mini-batch", ParamValidators.gt(0));
        maxIter = new IntParam(this, "maxIter", "epochs", ParamValidators.gt(0));
        seed = new LongParam(this, "seed", "seed of the initial weights, the example order and dropout");
        weightDecay = new DoubleParam(this, "weightDecay", "L2 decay on weights; with adamw, AdamW's decoupled "
                + "decay instead (unset: AdamW's default " + AdamW.DEFAULT_WEIGHT_DECAY + ")",
                ParamValidators.gtEq(0));
        mode = new Param<>(this, "mode", "sync (average gradients every step) or local (average parameters after "
                + "localSteps steps)");
        localSteps = new IntParam(this, "localSteps", "steps per round in local mode", ParamValidators.gt(0));
        numPartitions = new IntParam(this, "numPartitions", "training shards (0: Spark's default parallelism)",
                ParamValidators.gtEq(0));
        backend = new Param<>(this, "backend", "kernels on the executors: auto, cuda, blas, java or loop");
        setDefault(init, Defaults.INIT);
        setDefault(dropout, 0.0);
        setDefault(optimizer, Defaults.OPTIMIZER);
        setDefault(schedule, Defaults.SCHEDULE);
        setDefault(blockSize, Defaults.BATCH);
        setDefault(maxIter, Defaults.EPOCHS);
        setDefault(seed, Defaults.SEED);
        setDefault(weightDecay, 0.0);
        setDefault(mode, Defaults.MODE);
        setDefault(localSteps, Defaults.LOCAL_STEPS);
        setDefault(numPartitions, 0);
        setDefault(backend, Defaults.BACKEND);
    }

    @Override
    public String uid() {
        return uid != null ? uid : ConstructionUid.pending();
    }

    // Spark ML finds params by their public no-argument accessors.

    public IntArrayParam layers() {
        return layers;
    }

    public Param<String> network() {
        return network;
    }

    public Param<String> init() {
        return init;
    }

    public DoubleParam dropout() {
        return dropout;
    }

    public Param<String> optimizer() {
        return optimizer;
    }

    public DoubleParam stepSize() {
        return stepSize;
    }

    public Param<String> schedule() {
        return schedule;
    }

    public IntParam blockSize() {
        return blockSize;
    }

    public IntParam maxIter() {
        return maxIter;
    }

    public LongParam seed() {
        return seed;
    }

    public DoubleParam weightDecay() {
        return weightDecay;
    }

    public Param<String> mode() {
        return mode;
    }

    public IntParam localSteps() {
        return localSteps;
    }

    public IntParam numPartitions() {
        return numPartitions;
    }

    public Param<String> backend() {
        return backend;
    }

    public KindlingClassifier setLayers(int[] value) {
        set(layers, value);
        return this;
    }

    public KindlingClassifier setNetwork(String value) {
        set(network, value);
        return this;
    }

    public KindlingClassifier setInit(String value) {
        set(init, value);
        return this;
    }

    public KindlingClassifier setDropout(double value) {
        set(dropout, value);
        return this;
    }

    public KindlingClassifier setOptimizer(String value) {
        set(optimizer, value);
        return this;
    }

    public KindlingClassifier setStepSize(double value) {
        set(stepSize, value);
        return this;
    }

    public KindlingClassifier setSchedule(String value) {
        set(schedule, value);
        return this;
    }

    public KindlingClassifier setBlockSize(int value) {
        set(blockSize, value);
        return this;
    }

    public KindlingClassifier setMaxIter(int value) {
        set(maxIter, value);
        return this;
    }

    public KindlingClassifier setSeed(long value) {
        set(seed, value);
        return this;
    }

    public KindlingClassifier setWeightDecay(double value) {
        set(weightDecay, value);
        return this;
    }

    public KindlingClassifier setMode(String value) {
        set(mode, value);
        return this;
    }

    public KindlingClassifier setLocalSteps(int value) {
        set(localSteps, value);
        return this;
    }

    public KindlingClassifier setNumPartitions(int value) {
        set(numPartitions, value);
        return this;
    }

    public KindlingClassifier setBackend(String value) {
        set(backend, value);
        return this;
    }

    @SuppressWarnings("unchecked")
    private <T> T value(Param<?> p) {
        return (T) getOrDefault(p);
    }

    /** The network the params describe; bad values fail with the param's name. */
    NetworkSpec networkSpec() {
        if (isDefined(network)) {
            String text = value(network);
            NetworkSpec spec;
            try {
                spec = Json.YAML.readValue(text, NetworkSpec.class);
            } catch (JsonProcessingException e) {
                throw Json.error(uid + ".network", e);
            } catch (KindlingException e) {
                throw new KindlingException(uid + ".network: " + e.getMessage(), e);
            }
            if (spec == null) {
                throw new KindlingException(uid + ".network: empty");
            }
            return spec;
        }
        if (!isDefined(layers)) {
            throw new KindlingException(uid + ": set layers (e.g. [784, 100, 10]) or network");
        }
        int[] sizes = value(layers);
        String arch = Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining("-"));
        try {
            return NetworkSpec.mlp(arch, value(init), (Double) value(dropout));
        } catch (KindlingException e) {
            throw new KindlingException(uid + ".layers: " + e.getMessage(), e);
        }
    }

    /**
     * The params resolved as {@code kindling train} resolves its flags ({@link TrainSettings#resolve}):
     * the same defaults and the same rules (AdamW's decay decoupled, not added as L2 as well).
     */
    TrainSettings settings(NetworkSpec spec, String master) {
        Integer partitions = (Integer) value(numPartitions) > 0 ? value(numPartitions) : null;
        JobConfig job = new JobConfig(spec, null, null, null, value(optimizer),
                isDefined(stepSize) ? (Double) value(stepSize) : null, value(schedule), value(blockSize),
                value(maxIter), value(seed), isSet(weightDecay) ? (Double) value(weightDecay) : null, null, null,
                value(backend), master, value(mode), partitions, value(localSteps), 0, null, null, null, null);
        try {
            return TrainSettings.resolve(job);
        } catch (KindlingException e) {
            throw new KindlingException(uid + ": " + e.getMessage(), e);
        }
    }

    @Override
    public KindlingClassificationModel train(org.apache.spark.sql.Dataset<?> dataset) {
        NetworkSpec spec = networkSpec();
        if (!SoftmaxCrossEntropy.NAME.equals(spec.loss())) {
            throw new KindlingException(uid + ".network: a classifier needs the loss " + SoftmaxCrossEntropy.NAME
                    + ", not " + spec.loss());
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        TrainSettings settings = settings(spec, sc.master());
        Network net = Network.build(spec.requireNormalizeResolved("KindlingClassifier"),
                Backends.create(Backends.onDriver(settings.backend())));
        net.initialize(settings.train().seed());

        Examples rows = FeatureRows.read(sc, dataset, getFeaturesCol(), getLabelCol(), spec.input(), "DataFrame");
        Shards shards;
        try {
            int classes = rows.classes();
            if (classes > net.outputCount()) {
                throw new KindlingException("column " + getLabelCol() + ": label " + (classes - 1) + " needs "
                        + classes + " outputs, the network has " + net.outputCount());
            }
            shards = Shards.of(sc, rows.fitted(spec, net.outputCount()), Shards.count(sc, settings.parallel()),
                    "kindling-ml-train");
        } finally {
            rows.release(); // the shards keep their own copy
        }
        try {
            new SparkTrainer(sc, net, settings, shards, null, null).fit(null);
        } finally {
            shards.release();
        }
        return new KindlingClassificationModel(uid, spec, net.parameters(), net.state());
    }

    @Override
    public KindlingClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<KindlingClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static KindlingClassifier load(String path) {
        return read().load(path);
    }
}
