package dev.kindling.cli;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.io.AtomicFiles;
import dev.kindling.io.Json;
import dev.kindling.io.OutputPaths;
import dev.kindling.train.EpochMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** The output directory of a training run: model/, metrics.jsonl and config.json. */
final class RunDirectory {
    static final String METRICS = "metrics.jsonl";
    static final String MODEL = dev.kindling.io.ModelFile.IN_RUN;
    static final String CONFIG = "config.json";
    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Refuses a directory holding another run's results unless {@code overwrite}, and one that
     * cannot be written ({@link OutputPaths#check}). Nothing is created or deleted until
     * {@link #start()}, so a run that fails before it (bad data, a bad value) leaves the directory
     * as it was.
     */
    static RunDirectory open(Path dir, boolean overwrite) {
        OutputPaths.check("out", dir.toString(), dir);
        boolean used = Files.exists(dir.resolve(METRICS)) || Files.exists(dir.resolve(MODEL));
        if (used && !overwrite) {
            throw new UsageException("out: " + dir + " already holds a run (" + METRICS + " or " + MODEL
                    + "/); pass --overwrite to replace it, or choose another directory");
        }
        return new RunDirectory(dir);
    }

    /** Creates the directory and deletes an earlier run's results, once the run is ready to write. */
    void start() {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(METRICS));
            AtomicFiles.deleteRecursively(dir.resolve(MODEL));
        } catch (AccessDeniedException e) {
            throw OutputPaths.permissionDenied("out", dir.toString(), e.getFile());
        } catch (IOException e) {
            throw new KindlingException("out: cannot prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    Path modelDir() {
        return dir.resolve(MODEL);
    }

    /** Writes config.json: {@code record}, the run's settings ({@link dev.kindling.config.TrainJob#record}). */
    void writeConfig(Map<String, Object> record) {
        try {
            AtomicFiles.write(dir.resolve(CONFIG),
                    Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        } catch (IOException e) {
            throw new KindlingException(dir.resolve(CONFIG) + ": cannot write: " + e.getMessage(), e);
        }
    }

    void appendMetrics(EpochMetrics m) {
        Map<String, Object> line = m.toJsonLine();
        try {
            Files.writeString(dir.resolve(METRICS), Json.line(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new KindlingException(dir.resolve(METRICS) + ": cannot append: " + e.getMessage(), e);
        }
    }
}
