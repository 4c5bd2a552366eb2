package dev.kindling.spark.ml;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;

/**
 * A trained Kindling network as a Spark ML model. {@code rawPrediction} holds the logits,
 * {@code probability} their softmax (Kindling's own output) and {@code prediction} the most
 * probable class. Features are pixel intensities 0 to 255, divided by 255 as in training.
 *
 * <p>Saved as Spark ML saves any stage ({@code metadata/}: class, uid, params) plus the network
 * as a Kindling model directory ({@code model/}: {@code model.json} and {@code weights.bin},
 * the format {@code kindling evaluate} reads); nothing is Java-serialised.
 */
public final class KindlingClassificationModel
        extends ProbabilisticClassificationModel<Vector, KindlingClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** The Kindling model directory inside a saved stage. */
    static final String MODEL_DIR = "model";

    private final String uid;
    private final String specJson;
    private final float[] parameters;
    private final float[] state;
    private final int outputs;
    /** One network per thread: a network keeps its activations and is not thread-safe. */
    private transient ThreadLocal<Network> networks;

    KindlingClassificationModel(String uid, NetworkSpec spec, float[] parameters, float[] state) {
        this(ConstructionUid.begin(uid), spec, parameters, state, true);
    }

    private KindlingClassificationModel(String uid, NetworkSpec spec, float[] parameters, float[] state,
                                        boolean begun) {
        this.uid = uid;
        ConstructionUid.end();
        this.specJson = json(spec);
        this.parameters = parameters.clone();
        this.state = state.clone();
        this.outputs = network().outputCount();
        if (network().parameters().length != parameters.length || network().state().length != state.length) {
            throw new KindlingException(uid + ": the network needs " + network().parameters().length
                    + " parameters and " + network().state().length + " state floats, got " + parameters.length
                    + " and " + state.length);
        }
    }

    /** What {@link DefaultParamsReader} builds before {@link Reader} gives it its network. */
    public KindlingClassificationModel(String uid) {
        this(ConstructionUid.begin(uid), true);
    }

    private KindlingClassificationModel(String uid, boolean begun) {
        this.uid = uid;
        ConstructionUid.end();
        this.specJson = null;
        this.parameters = new float[0];
        this.state = new float[0];
        this.outputs = 0;
    }

    private static String json(NetworkSpec spec) {
        try {
            return Json.JSON.writeValueAsString(spec);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String uid() {
        return uid != null ? uid : ConstructionUid.pending();
    }

    /** The network description. */
    public NetworkSpec spec() {
        try {
            return Json.JSON.readValue(specJson, NetworkSpec.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of this model's network: its parameters and state loaded (kernels: the best available). */
    public Network toNetwork() {
        Network net = Network.build(spec(), Backends.create("auto"));
        System.arraycopy(parameters, 0, net.parameters(), 0, parameters.length);
        System.arraycopy(state, 0, net.state(), 0, state.length);
        return net;
    }

    private Network network() {
        if (specJson == null) {
            throw new IllegalStateException(uid + ": a model without a network (loaded without its model directory)");
        }
        ThreadLocal<Network> perThread;
        synchronized (this) {
            if (networks == null) {
                networks = ThreadLocal.withInitial(this::toNetwork);
            }
            perThread = networks;
        }
        return perThread.get();
    }

    @Override
    public int numClasses() {
        return outputs;
    }

    @Override
    public int numFeatures() {
        return spec().input().size();
    }

    @Override
    public Vector predictRaw(Vector features) {
        Network net = network();
        int n = net.inputShape().size();
        if (features.size() != n) {
            throw new KindlingException("column " + getFeaturesCol() + ": a vector of " + features.size()
                    + " values, the network takes " + n + " (" + net.inputShape() + ")");
        }
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (features.apply(i) / 255.0);
        }
        net.forward(x, new float[outputs], 1, false, null);
        float[] z = net.logits();
        double[] raw = new double[outputs];
        for (int j = 0; j < outputs; j++) {
            raw[j] = z[j];
        }
        return Vectors.dense(raw);
    }

    /** Softmax, as Kindling's output layer computes it (shifted by the largest logit). */
    @Override
    public Vector raw2probabilityInPlace(Vector rawPrediction) {
        if (!(rawPrediction instanceof DenseVector dense)) {
            throw new IllegalArgumentException("raw predictions are dense vectors, got " + rawPrediction.getClass());
        }
        double[] v = dense.values();
        double max = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            max = Math.max(max, d);
        }
        double sum = 0;
        for (int j = 0; j < v.length; j++) {
            v[j] = Math.exp(v[j] - max);
            sum += v[j];
        }
        for (int j = 0; j < v.length; j++) {
            v[j] /= sum;
        }
        return dense;
    }

    /**
     * Inherited from two Scala parents with covariant return types, which Java sees as a clash;
     * the raw type overrides both.
     */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public scala.Tuple3 findSummaryModel() {
        return super.findSummaryModel();
    }

    @Override
    public KindlingClassificationModel copy(ParamMap extra) {
        KindlingClassificationModel copy = new KindlingClassificationModel(uid, spec(), parameters, state);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<KindlingClassificationModel> read() {
        return new Reader();
    }

    public static KindlingClassificationModel load(String path) {
        return read().load(path);
    }

    /** Spark's stage metadata, then the network as a Kindling model directory. */
    static final class Writer extends MLWriter {
        private final KindlingClassificationModel model;

        Writer(KindlingClassificationModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter metadata = new DefaultParamsWriter(model);
            metadata.session(sparkSession());
            metadata.saveImpl(path);
            byte[] weights = ModelFile.weights(model.parameters, model.state);
            byte[] description = ModelFile.description(model.spec(), model.parameters.length, model.state.length,
                    weights, Map.of("uid", model.uid));
            Path dir = new Path(path, MODEL_DIR);
            try {
                FileSystem fs = dir.getFileSystem(sc().hadoopConfiguration());
                Path tmp = new Path(path, "." + MODEL_DIR + ".tmp-" + System.nanoTime());
                try {
                    write(fs, new Path(tmp, ModelFile.WEIGHTS), weights);
                    write(fs, new Path(tmp, ModelFile.DESCRIPTION), description);
                    if (!fs.rename(tmp, dir)) {
                        throw new IOException("cannot rename " + tmp + " to " + dir);
                    }
                } finally {
                    fs.delete(tmp, true);
                }
            } catch (IOException e) {
                throw new KindlingException(dir + ": cannot save the model: " + e.getMessage(), e);
            }
        }

        private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
            try (OutputStream out = fs.create(file, false)) {
                out.write(bytes);
            }
        }
    }

    /** Reads the stage's params with Spark's reader, then the network from the model directory. */
    static final class Reader extends MLReader<KindlingClassificationModel> {
        @Override
        public KindlingClassificationModel load(String path) {
            KindlingClassificationModel params = new DefaultParamsReader<KindlingClassificationModel>().load(path);
            Path dir = new Path(path, MODEL_DIR);
            Path description = new Path(dir, ModelFile.DESCRIPTION);
            Path weights = new Path(dir, ModelFile.WEIGHTS);
            ModelFile.Contents contents;
            try {
                FileSystem fs = dir.getFileSystem(sc().hadoopConfiguration());
                for (Path p : new Path[] {description, weights}) {
                    if (!fs.exists(p)) {
                        throw new KindlingException(p + ": missing; a saved " + KindlingClassificationModel.class
                                .getSimpleName() + " holds " + MODEL_DIR + "/" + ModelFile.DESCRIPTION + " and "
                                + MODEL_DIR + "/" + ModelFile.WEIGHTS);
                    }
                }
                contents = ModelFile.parse(description.toString(), read(fs, description), weights.toString(),
                        read(fs, weights));
            } catch (IOException e) {
                throw new KindlingException(dir + ": cannot read the model: " + e.getMessage(), e);
            }
            KindlingClassificationModel model = new KindlingClassificationModel(params.uid(), contents.spec(),
                    contents.parameters(), contents.state());
            return params.copyValues(model, ParamMap.empty());
        }

        private static byte[] read(FileSystem fs, Path file) throws IOException {
            try (InputStream in = fs.open(file)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            }
        }
    }
}
