package dev.kindling.spark.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.io.Json;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.spark.io.HadoopFiles;
import dev.kindling.spark.runtime.SparkErrors;
import dev.kindling.train.EpochMetrics;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A distributed run's output directory on any Hadoop file system: {@code model/},
 * {@code metrics.jsonl} (epoch lines as the single-machine trainer writes them, plus
 * {@code "type":"round"} lines), {@code config.json} and {@code checkpoint/}.
 */
public final class RunOutput implements CheckpointStore, Closeable {
    public static final String METRICS = "metrics.jsonl";
    public static final String MODEL = ModelFile.IN_RUN;
    public static final String CONFIG = "config.json";
    static final String CHECKPOINT = "checkpoint";
    static final String OLD_CHECKPOINT = ".checkpoint.old";
    /** Round lines are flushed at most this often; epoch lines at once. */
    private static final long FLUSH_NANOS = 1_000_000_000L;

    private final FileSystem fs;
    private final Path dir;
    private FSDataOutputStream metrics;
    /** Whether {@link #start()} deletes an earlier run's results (--overwrite). */
    private boolean replacing;
    /** The round of the checkpoint last saved or loaded here; -1 for none. */
    private volatile long checkpointRound = -1;
    private long lastFlush;

    private RunOutput(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    /**
     * Opens {@code location} for a run. A directory that already holds a run (metrics, model or
     * checkpoint) is refused unless {@code overwrite} (its results are deleted by {@link #start()})
     * or {@code resume} (it must hold a checkpoint), and so is one that cannot be written
     * ({@link HadoopFiles#checkOutput}). Nothing is written here.
     */
    static RunOutput open(String location, Configuration conf, boolean overwrite, boolean resume) {
        if (overwrite && resume) {
            throw new UsageException("resume: --resume continues the run in out and --overwrite replaces it; give one");
        }
        Path dir = new Path(location);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            dir = fs.makeQualified(dir);
            HadoopFiles.checkOutput(fs, dir, "out", location);
            RunOutput out = new RunOutput(fs, dir);
            boolean used = fs.exists(out.path(METRICS)) || fs.exists(out.path(MODEL)) || out.hasCheckpoint();
            if (resume) {
                if (!out.hasCheckpoint()) {
                    throw new UsageException("resume: " + location + " holds no checkpoint to resume from");
                }
            } else if (used && !overwrite) {
                throw new UsageException("out: " + location + " already holds a run (" + METRICS + ", " + MODEL + "/ or "
                        + CHECKPOINT + "/); pass --overwrite to replace it, --resume to continue it, "
                        + "or choose another directory");
            }
            out.replacing = used && overwrite;
            return out;
        } catch (IOException e) {
            throw new KindlingException("out: cannot prepare " + location + ": " + SparkErrors.firstLine(e), e);
        }
    }

    /**
     * Creates the directory and, with --overwrite, deletes the earlier run's results: done once the
     * data has been read, so a run that fails before (bad data, a bad value) leaves it as it was.
     */
    void start() {
        try {
            if (replacing) {
                for (String name : List.of(METRICS, MODEL, CHECKPOINT, OLD_CHECKPOINT)) {
                    fs.delete(path(name), true);
                }
                replacing = false;
            }
            fs.mkdirs(dir);
        } catch (IOException e) {
            throw new KindlingException("out: cannot prepare " + dir + ": " + SparkErrors.firstLine(e), e);
        }
    }

    Path path(String name) {
        return new Path(dir, name);
    }

    /** The round of the checkpoint this run directory holds, as saved or loaded by this run; -1 for none. */
    long checkpointRound() {
        return checkpointRound;
    }

    private boolean hasCheckpoint() throws IOException {
        return fs.exists(path(CHECKPOINT)) || fs.exists(path(OLD_CHECKPOINT));
    }

    /** Writes config.json: {@code record}, the run's settings ({@link dev.kindling.config.TrainJob#record}). */
    void writeConfig(Map<String, Object> record) {
        try {
            HadoopFiles.write(fs, path(CONFIG), Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        } catch (IOException e) {
            throw new KindlingException(path(CONFIG) + ": cannot write: " + SparkErrors.firstLine(e), e);
        }
    }

    /** Saves the model atomically (ModelFile's format, written through Hadoop). */
    void saveModel(Network net, Map<String, Object> metadata) {
        byte[] weights = ModelFile.weights(net.parameters(), net.state());
        byte[] description = ModelFile.description(net.spec(), net.parameters().length, net.state().length, weights,
                metadata);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(ModelFile.WEIGHTS, weights);
        files.put(ModelFile.DESCRIPTION, description);
        try {
            HadoopFiles.writeDirectory(fs, path(MODEL), path("." + MODEL + ".old"), files);
        } catch (IOException e) {
            throw new KindlingException(path(MODEL) + ": cannot save the model: " + SparkErrors.firstLine(e), e);
        }
    }

    @Override
    public void save(Checkpoint checkpoint) {
        try {
            HadoopFiles.writeDirectory(fs, path(CHECKPOINT), path(OLD_CHECKPOINT), checkpoint.files());
            checkpointRound = checkpoint.round();
        } catch (IOException e) {
            throw new KindlingException(path(CHECKPOINT) + ": cannot write the checkpoint: " + SparkErrors.firstLine(e), e);
        }
    }

    @Override
    public Checkpoint load() {
        try {
            Path at = fs.exists(path(CHECKPOINT)) ? path(CHECKPOINT) : path(OLD_CHECKPOINT);
            if (!fs.exists(at)) {
                return null;
            }
            Checkpoint loaded = Checkpoint.parse(at.toString(), HadoopFiles.readDirectory(fs, at));
            checkpointRound = loaded.round();
            return loaded;
        } catch (IOException e) {
            throw new KindlingException(path(CHECKPOINT) + ": cannot read the checkpoint: " + SparkErrors.firstLine(e), e);
        }
    }

    /**
     * Starts metrics.jsonl: empty for a new run; for a resumed one, the earlier lines up to the
     * checkpoint (later ones belong to the interrupted part, which is run again).
     */
    void startMetrics(Checkpoint resumedFrom) {
        try {
            List<String> keep = new ArrayList<>();
            if (resumedFrom != null && fs.exists(path(METRICS))) {
                String text = new String(HadoopFiles.read(fs, path(METRICS)), StandardCharsets.UTF_8);
                for (String line : text.split("\n")) {
                    if (!line.isBlank() && before(line, resumedFrom)) {
                        keep.add(line);
                    }
                }
            }
            metrics = fs.create(path(METRICS), true);
            for (String line : keep) {
                metrics.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            metrics.hflush();
        } catch (IOException e) {
            throw new KindlingException(path(METRICS) + ": cannot write: " + SparkErrors.firstLine(e), e);
        }
    }

    private static boolean before(String line, Checkpoint c) throws IOException {
        JsonNode node;
        try {
            node = Json.JSON.readTree(line);
        } catch (IOException e) {
            return false; // a line cut short by the interruption
        }
        if ("round".equals(node.path("type").asText())) {
            return node.path("round").asLong() <= c.round();
        }
        int epoch = node.path("epoch").asInt();
        return c.epochComplete() ? epoch <= c.epoch() : epoch < c.epoch();
    }

    void appendRound(RoundMetrics m) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "round");
        line.put("round", m.round());
        line.put("epoch", m.epoch());
        line.put("step", m.step());
        line.put("loss", m.loss());
        line.put("accuracy", m.accuracy());
        line.put("examples", m.examples());
        putMs(line, "broadcast_ms", m.broadcastMs());
        putMs(line, "compute_ms", m.computeMs());
        putMs(line, "exchange_ms", m.exchangeMs());
        putMs(line, "aggregate_ms", m.aggregateMs());
        putMs(line, "update_ms", m.updateMs());
        putMs(line, "round_ms", m.roundMs());
        append(line, System.nanoTime() - lastFlush > FLUSH_NANOS);
    }

    /** A {@code "type": "segment"} line: a collective segment's stage, after its rounds' lines. */
    void appendSegment(SegmentMetrics m) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "segment");
        line.put("first_round", m.firstRound());
        line.put("rounds", m.rounds());
        line.put("tasks", m.tasks());
        putMs(line, "stage_ms", m.stageMs());
        putMs(line, "launch_ms", m.launchMs());
        putMs(line, "connect_ms", m.connectMs());
        line.put("bytes_per_task_per_round", m.bytesPerTaskPerRound());
        line.put("attempts", m.attempts());
        append(line, true);
    }

    /** A part of a round's time, where it applies (not NaN). */
    private static void putMs(Map<String, Object> line, String key, double ms) {
        if (!Double.isNaN(ms)) {
            line.put(key, round3(ms));
        }
    }

    void appendEpoch(EpochMetrics m) {
        Map<String, Object> line = m.toJsonLine();
        append(line, true);
    }

    /** A {@code "type": "retry"} line: the run diverged and went back to {@code to}'s round. */
    void appendRetry(String cause, Checkpoint to, double learningRate) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "retry");
        line.put("cause", cause);
        line.put("back_to_round", to.round());
        line.put("learning_rate", learningRate);
        append(line, true);
    }

    private static double round3(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    private void append(Map<String, Object> line, boolean flush) {
        try {
            metrics.write((Json.line(line) + "\n").getBytes(StandardCharsets.UTF_8));
            if (flush) {
                metrics.hflush();
                lastFlush = System.nanoTime();
            }
        } catch (IOException e) {
            throw new KindlingException(path(METRICS) + ": cannot append: " + SparkErrors.firstLine(e), e);
        }
    }

    @Override
    public void close() {
        if (metrics != null) {
            try {
                metrics.close();
            } catch (IOException e) {
                throw new KindlingException(path(METRICS) + ": cannot close: " + SparkErrors.firstLine(e), e);
            } finally {
                metrics = null;
            }
        }
    }
}
