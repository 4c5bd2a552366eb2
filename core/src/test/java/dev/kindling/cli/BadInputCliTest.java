package dev.kindling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.data.IdxBytes;
import dev.kindling.data.IdxDirectory;
import dev.kindling.data.IdxFile;
import dev.kindling.io.Unwritable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input the one-machine launcher can be given, end to end through
 * {@link Main#run}: the exit code (2 for a bad command line or config, 1 for bad data), one
 * message naming the file, field and value, no stack trace, and nothing half-written in the
 * output directory. Each case's id is a row of docs/errors.md.
 */
class BadInputCliTest {
    /** A model trained once on small made-up data, for the cases that damage a copy of it. */
    @TempDir
    static Path shared;
    static Path goodData;
    static Path goodModel;

    @TempDir
    Path tmp;

    /** What a case runs and what its message must name. */
    record Run(String[] args, List<String> names) {
    }

    @FunctionalInterface
    interface Setup {
        Run prepare(Path tmp) throws IOException;
    }

    @BeforeAll
    static void trainAModel() throws IOException {
        goodData = idxDirectory(shared.resolve("data"), 40, 28, 28, 10);
        Path out = shared.resolve("run");
        CliTest.Result r = CliTest.run("train", "--data", goodData.toString(), "--out", out.toString(), "--master",
                "single", "--arch", "784-8-10", "--epochs", "1", "--batch", "10");
        assertEquals(0, r.code(), r.err());
        goodModel = out.resolve("model");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // the data
                usage("data-missing", Main.EXIT_FAILED, t -> run(train(t.resolve("nowhere"), t),
                        t.resolve("nowhere").toString(), "data directory does not exist")),
                usage("data-empty-directory", Main.EXIT_FAILED, t -> {
                    Path d = Files.createDirectories(t.resolve("empty"));
                    return run(train(d, t), d.toString(), "data directory is empty");
                }),
                usage("data-not-a-directory", Main.EXIT_FAILED, t -> {
                    Path f = Files.writeString(t.resolve("notes.txt"), "hello");
                    return run(train(f, t), "notes.txt", "is not a directory");
                }),
                usage("data-missing-label-file", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 28, 28, 10);
                    Files.delete(d.resolve(IdxDirectory.TRAIN_LABELS + ".gz"));
                    return run(train(d, t), d.toString(), "missing " + IdxDirectory.TRAIN_LABELS);
                }),
                usage("idx-truncated-gzip", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 28, 28, 10);
                    Path f = d.resolve(IdxDirectory.TRAIN_IMAGES + ".gz");
                    byte[] b = Files.readAllBytes(f);
                    Files.write(f, Arrays.copyOf(b, b.length / 2));
                    return run(train(d, t), f.toString(), "cut short");
                }),
                usage("idx-wrong-magic", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 28, 28, 10);
                    Path f = d.resolve(IdxDirectory.TRAIN_IMAGES + ".gz");
                    byte[] b = gunzip(f);
                    b[2] = 0x0D; // the float type: an IDX file, but not one of pixels
                    Files.write(f, IdxBytes.gzip(b));
                    return run(train(d, t), f.toString(), "0x00000D03");
                }),
                usage("idx-gz-not-gzip", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 28, 28, 10);
                    Path f = Files.writeString(d.resolve(IdxDirectory.TRAIN_IMAGES + ".gz"),
                            "<!DOCTYPE html>\n<html><body>Moved</body></html>\n");
                    return run(train(d, t), f.toString(), "not a gzip file", "'<!DO'", "HTML page");
                }),
                usage("idx-empty-file", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 28, 28, 10);
                    Files.delete(d.resolve(IdxDirectory.TEST_LABELS + ".gz"));
                    Path f = Files.write(d.resolve(IdxDirectory.TEST_LABELS), new byte[0]);
                    return run(train(d, t), f.toString(), "is empty (0 bytes)");
                }),
                usage("idx-images-given-as-labels", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 28, 28, 10);
                    Path f = d.resolve(IdxDirectory.TRAIN_LABELS + ".gz");
                    Files.copy(d.resolve(IdxDirectory.TRAIN_IMAGES + ".gz"), f,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return run(train(d, t), f.toString(), "0x00000803", "labels file");
                }),
                usage("idx-count-mismatch", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 28, 28, 10);
                    Path f = d.resolve(IdxDirectory.TRAIN_LABELS + ".gz");
                    IdxFile.labels(new byte[19]).write(f);
                    return run(train(d, t), f.toString(), "20 images", "19 labels");
                }),
                usage("idx-label-out-of-range", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 28, 28, 10);
                    Path f = d.resolve(IdxDirectory.TRAIN_LABELS + ".gz");
                    byte[] labels = new byte[20];
                    labels[7] = 12;
                    IdxFile.labels(labels).write(f);
                    return run(train(d, t), f.toString(), "label 12 at index 7", "10 classes");
                }),
                usage("labels-beyond-network-outputs", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 28, 28, 10);
                    return run(train(d, t, "--arch", "784-16-5"), d.resolve(IdxDirectory.TRAIN_LABELS + ".gz")
                            .toString(), "label 5 at index 5", "5 classes (0 to 4, the network's outputs)");
                }),
                usage("image-size-not-accepted", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("d"), 20, 14, 14, 10);
                    return run(train(d, t), d.resolve(IdxDirectory.TRAIN_IMAGES + ".gz").toString(), "1x14x14",
                            "784");
                }),
                // the flags
                usage("batch-zero", Main.EXIT_USAGE, t -> run(train(goodData, t, "--batch", "0"), "batch", "0")),
                usage("batch-negative", Main.EXIT_USAGE, t -> run(train(goodData, t, "--batch", "-5"), "batch", "-5")),
                usage("batch-not-a-number", Main.EXIT_USAGE, t -> run(train(goodData, t, "--batch", "ten"),
                        "--batch", "ten")),
                usage("lr-zero", Main.EXIT_USAGE, t -> run(train(goodData, t, "--lr", "0"), "lr", "0.0")),
                usage("lr-negative", Main.EXIT_USAGE, t -> run(train(goodData, t, "--lr", "-0.1"), "lr", "-0.1")),
                usage("lr-nan", Main.EXIT_USAGE, t -> run(train(goodData, t, "--lr", "NaN"), "lr", "NaN")),
                usage("epochs-zero", Main.EXIT_USAGE, t -> run(train(goodData, t, "--epochs", "0"), "epochs", "0")),
                usage("unknown-optimizer", Main.EXIT_USAGE, t -> run(train(goodData, t, "--optimizer", "adamx"),
                        "optimizer", "adamx")),
                usage("malformed-arch", Main.EXIT_USAGE, t -> run(train(goodData, t, "--arch", "784-abc-10"),
                        "arch", "abc")),
                usage("arch-zero-size", Main.EXIT_USAGE, t -> run(train(goodData, t, "--arch", "784-0-10"),
                        "arch", "784-0-10")),
                usage("dropout-out-of-range", Main.EXIT_USAGE, t -> run(train(goodData, t, "--dropout", "1.0"),
                        "dropout", "1.0")),
                usage("dropout-negative", Main.EXIT_USAGE, t -> run(train(goodData, t, "--dropout", "-0.2"),
                        "dropout", "-0.2")),
                usage("weight-decay-negative", Main.EXIT_USAGE, t -> run(train(goodData, t, "--weight-decay",
                        "-1e-4"), "weight-decay", "-1.0E-4")),
                usage("unknown-init", Main.EXIT_USAGE, t -> run(train(goodData, t, "--init", "glorot"),
                        "init", "glorot")),
                usage("bad-schedule", Main.EXIT_USAGE, t -> run(train(goodData, t, "--schedule", "step:0:0.5"),
                        "schedule", "0")),
                usage("unknown-backend", Main.EXIT_USAGE, t -> run(train(goodData, t, "--backend", "tpu"),
                        "backend", "tpu")),
                usage("cuda-unavailable", Main.EXIT_FAILED, t -> {
                    org.junit.jupiter.api.Assumptions.assumeFalse(dev.kindling.backend.CudaBackend.isAvailable(),
                            "this machine has a CUDA GPU");
                    return run(train(goodData, t, "--backend", "cuda"), "backend", "cuda", "not available here");
                }),
                usage("unknown-master", Main.EXIT_USAGE, t -> run(train(goodData, t, "--master", "cluster"),
                        "master", "cluster")),
                usage("unknown-mode", Main.EXIT_USAGE, t -> run(train(goodData, t, "--mode", "async"),
                        "mode", "async")),
                usage("limit-zero", Main.EXIT_USAGE, t -> run(train(goodData, t, "--limit", "0"), "limit", "0")),
                usage("unknown-flag", Main.EXIT_USAGE, t -> run(train(goodData, t, "--learning-rate", "0.1"),
                        "--learning-rate")),
                usage("partitions-on-single", Main.EXIT_USAGE, t -> run(train(goodData, t, "--partitions", "4"),
                        "partitions", "4", "--master single")),
                usage("shards-on-spark", Main.EXIT_USAGE, t -> run(train(goodData, t, "--master", "local[2]",
                        "--shards", "4"), "shards", "--partitions")),
                usage("shards-negative", Main.EXIT_USAGE, t -> run(train(goodData, t, "--shards", "-1"),
                        "shards", "-1")),
                usage("resume-on-single", Main.EXIT_USAGE, t -> run(train(goodData, t, "--resume"),
                        "resume", "single")),
                usage("data-option-on-single", Main.EXIT_USAGE, t -> run(train(goodData, t, "--data-option",
                        "height=28"), "data-option", "height")),
                // the config file
                usage("config-missing", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        t.resolve("none.yaml").toString()), "none.yaml", "not found")),
                usage("config-unknown-key", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        config(t, "optimizer: adam\nlearning_rate: 0.1\n")), "job.yaml", "learning_rate")),
                usage("config-not-yaml", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        config(t, "optimizer: adam\n\tepochs: 2\n")), "job.yaml", "line 2")),
                usage("config-bad-yaml-in-block", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        config(t, "network:\n  input: [784]\n  layers:\n    - {type: dense, units: 10}\n   oops: 1\n")),
                        "job.yaml", "not valid YAML", "line 5, column 4", "block mapping")),
                usage("config-unclosed-bracket", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        config(t, "epochs: [3\nbatch: 10\n")), "job.yaml", "not valid YAML", "line 2, column 6",
                        "flow sequence from line 1, column 9")),
                usage("config-nan-value", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        config(t, "lr: .nan\n")), "job.yaml", "lr", ".nan")),
                usage("config-wrong-type", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        config(t, "epochs: many\n")), "job.yaml", "epochs", "\"many\" is not a whole number")),
                usage("config-unknown-layer-type", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        config(t, "network:\n  input: [1, 28, 28]\n  layers:\n    - {type: convolution, filters: 4}\n")),
                        "job.yaml", "layers[0]", "convolution")),
                usage("config-arch-and-network", Main.EXIT_USAGE, t -> run(train(goodData, t, "--arch", "784-10",
                        "--config", config(t, "network:\n  input: [784]\n  layers:\n    - {type: dense, units: 10}\n")),
                        "arch", "784-10", "network")),
                usage("config-dropout-with-network", Main.EXIT_USAGE, t -> run(train(goodData, t, "--dropout", "0.5",
                        "--config", config(t, "network:\n  input: [784]\n  layers:\n    - {type: dense, units: 10}\n")),
                        "dropout", "0.5", "--arch MLP only")),
                usage("config-batch-zero", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        config(t, "batch: 0\n")), "job.yaml", "batch", "0")),
                usage("config-short-input-shape", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config",
                        config(t, "network:\n  input: [28, 28]\n  layers:\n    - {type: flatten}\n    - {type: dense, units: 10}\n")),
                        "job.yaml", "network.input", "[28, 28]")),
                usage("config-empty", Main.EXIT_USAGE, t -> run(train(goodData, t, "--config", config(t, "")),
                        "job.yaml", "empty")),
                // the output directory
                usage("out-holds-another-run", Main.EXIT_USAGE, t -> {
                    Path out = Files.createDirectories(t.resolve("out"));
                    Files.writeString(out.resolve("metrics.jsonl"), "{\"epoch\":1}\n");
                    return run(train(goodData, t), out.toString(), "already holds a run", "--overwrite");
                }),
                usage("out-is-a-file", Main.EXIT_USAGE, t -> {
                    Files.writeString(t.resolve("out"), "not a directory");
                    return run(train(goodData, t), t.resolve("out").toString(), "not a directory");
                }),
                // the data is missing too in these two: the output must be refused first, before any reading
                usage("out-parent-is-a-file", Main.EXIT_USAGE, t -> {
                    Path file = Files.writeString(t.resolve("notes.txt"), "a file");
                    return run(withOut(train(t.resolve("nowhere"), t), file.resolve("run")), "out",
                            file.resolve("run").toString(), file + " is a file, not a directory");
                }),
                usage("out-no-permission", Main.EXIT_FAILED, t -> {
                    Path locked = Unwritable.directory(t.resolve("locked"));
                    return run(withOut(train(t.resolve("nowhere"), t), locked.resolve("run")), "out",
                            locked.resolve("run").toString(), "permission denied", "ask for write access");
                }),
                // evaluate
                usage("model-missing", Main.EXIT_FAILED, t -> run(evaluate(t.resolve("nomodel"), goodData),
                        "nomodel", "not a directory")),
                usage("model-is-run-directory", Main.EXIT_FAILED, t -> {
                    Path run = goodModel.getParent();
                    return run(evaluate(run, goodData), run.toString(), "a run directory",
                            "--model " + run.resolve("model"));
                }),
                usage("model-other-format-version", Main.EXIT_FAILED, t -> {
                    Path m = modelCopy(t);
                    edit(m.resolve("model.json"), "\"version\" : 1", "\"version\" : 2");
                    return run(evaluate(m, goodData), m.resolve("model.json").toString(), "version", "2");
                }),
                usage("model-other-format", Main.EXIT_FAILED, t -> {
                    Path m = modelCopy(t);
                    edit(m.resolve("model.json"), "\"kindling-model\"", "\"keras\"");
                    return run(evaluate(m, goodData), m.resolve("model.json").toString(), "format", "keras");
                }),
                usage("model-other-architecture", Main.EXIT_FAILED, t -> {
                    Path m = modelCopy(t);
                    edit(m.resolve("model.json"), "\"units\" : 8", "\"units\" : 9");
                    return run(evaluate(m, goodData), m.toString(), "needs 7165 parameters", "records 6370",
                            "different models");
                }),
                usage("model-corrupted", Main.EXIT_FAILED, t -> {
                    Path m = modelCopy(t);
                    byte[] w = Files.readAllBytes(m.resolve("weights.bin"));
                    w[100] ^= 0x40;
                    Files.write(m.resolve("weights.bin"), w);
                    return run(evaluate(m, goodData), m.resolve("weights.bin").toString(), "checksum", "corrupted");
                }),
                usage("model-truncated", Main.EXIT_FAILED, t -> {
                    Path m = modelCopy(t);
                    byte[] w = Files.readAllBytes(m.resolve("weights.bin"));
                    Files.write(m.resolve("weights.bin"), Arrays.copyOf(w, w.length - 4));
                    return run(evaluate(m, goodData), m.resolve("weights.bin").toString(), "25476 bytes",
                            "expected 25480");
                }),
                usage("evaluate-image-size-differs", Main.EXIT_FAILED, t -> {
                    Path d = idxDirectory(t.resolve("small"), 20, 14, 14, 10);
                    return run(evaluate(goodModel, d), d.toString(), "1x14x14", "784");
                }));
    }

    static Arguments usage(String id, int code, Setup setup) {
        return Arguments.of(id, code, setup);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithOneMessageNamingWhatIsWrong(String id, int code, Setup setup) throws IOException {
        Run run = setup.prepare(tmp);
        Path out = tmp.resolve("out");
        List<String> before = listing(out);
        CliTest.Result r = CliTest.run(run.args());
        assertEquals(code, r.code(), id + ": " + r.out() + r.err());
        String message = r.err().lines().findFirst().orElse("");
        assertTrue(message.startsWith("kindling: "), id + ": " + r.err());
        for (String name : run.names()) {
            assertTrue(message.contains(name), id + ": the message should name " + name + ": " + message);
        }
        assertFalse(r.err().contains("\tat "), id + ": no stack trace: " + r.err());
        assertEquals(before, listing(out), id + ": the output directory is as it was: nothing half-written");
        ErrorsDoc.record(id, code, run.args(), message, tmp, shared);
    }

    @AfterEach
    void giveBackWriteAccess() throws IOException {
        Unwritable.releaseAll();
    }

    @Test
    void everyCaseIsListedInDocsErrorsMd() throws IOException {
        List<String> ids = new ArrayList<>();
        cases().forEach(a -> ids.add((String) a.get()[0]));
        ErrorsDoc.assertListed(ids, cases().map(a -> (Integer) a.get()[1]).toList());
    }

    @Test
    void overwriteReplacesAnEarlierRunOnlyOnceTheNewRunHasItsData() throws IOException {
        Path out = tmp.resolve("out");
        assertEquals(0, CliTest.run(train(goodData, tmp)).code());
        String metrics = Files.readString(out.resolve("metrics.jsonl"));
        List<String> before = listing(out);

        Path bad = idxDirectory(tmp.resolve("bad"), 20, 14, 14, 10);
        CliTest.Result failed = CliTest.run(train(bad, tmp, "--overwrite"));
        assertEquals(Main.EXIT_FAILED, failed.code(), failed.err());
        assertEquals(before, listing(out), "a failed --overwrite run leaves the earlier run whole");
        assertEquals(metrics, Files.readString(out.resolve("metrics.jsonl")));

        CliTest.Result replaced = CliTest.run(train(goodData, tmp, "--overwrite", "--epochs", "2"));
        assertEquals(0, replaced.code(), replaced.err());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "the earlier lines are gone");
        assertTrue(Files.exists(out.resolve("model").resolve("weights.bin")));
    }

    // ---- helpers ----

    static Run run(String[] args, String... names) {
        return new Run(args, List.of(names));
    }

    /** A quick run on {@code data}; {@code extra} flags replace the defaults they name. */
    static String[] train(Path data, Path tmp, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out",
                tmp.resolve("out").toString()));
        List<String> given = Arrays.asList(extra);
        String[][] defaults = {{"--master", "single"}, {"--epochs", "1"}, {"--arch", "784-8-10"}};
        for (String[] d : defaults) {
            boolean replaced = given.contains(d[0]) || d[0].equals("--arch") && given.contains("--config");
            if (!replaced) {
                args.addAll(List.of(d));
            }
        }
        args.addAll(given);
        return args.toArray(String[]::new);
    }

    /** {@code args} writing to {@code out} instead. */
    static String[] withOut(String[] args, Path out) {
        String[] copy = args.clone();
        copy[Arrays.asList(copy).indexOf("--out") + 1] = out.toString();
        return copy;
    }

    static String[] evaluate(Path model, Path data) {
        return new String[] {"evaluate", "--model", model.toString(), "--data", data.toString(), "--master", "single"};
    }

    static String config(Path tmp, String yaml) throws IOException {
        return Files.writeString(tmp.resolve("job.yaml"), yaml).toString();
    }

    static Path modelCopy(Path tmp) throws IOException {
        Path m = Files.createDirectories(tmp.resolve("model"));
        for (String f : List.of("model.json", "weights.bin")) {
            Files.copy(goodModel.resolve(f), m.resolve(f));
        }
        return m;
    }

    static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.contains(from), file + " should hold " + from + ": " + text);
        Files.writeString(file, text.replace(from, to));
    }

    /** Every path under {@code dir} (empty when it does not exist), to compare before and after. */
    static List<String> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** The four IDX files (gzip) of {@code n} made-up images of h x w, labels cycling through {@code classes}. */
    static Path idxDirectory(Path dir, int n, int h, int w, int classes) throws IOException {
        Files.createDirectories(dir);
        byte[] pixels = new byte[n * h * w];
        byte[] labels = new byte[n];
        java.util.Random random = new java.util.Random(n);
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % classes);
            for (int k = 0; k < h * w; k++) {
                pixels[i * h * w + k] = (byte) ((labels[i] * 25 + random.nextInt(40)) & 0xFF);
            }
        }
        for (String prefix : List.of("train", "t10k")) {
            IdxFile.images(n, h, w, pixels).write(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
            IdxFile.labels(labels).write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"));
        }
        return dir;
    }

    static byte[] gunzip(Path file) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
