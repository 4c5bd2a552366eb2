package dev.kindling.experiment;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backend;
import dev.kindling.backend.Backends;
import dev.kindling.data.IdxDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What every experiment is given: where the data is, where its files go, the seed that fixes
 * initial weights, batch order and every random draw, the compute backend, and where progress
 * lines are printed.
 *
 * @param data    a directory holding the four IDX files (see {@link IdxDirectory})
 * @param out     the directory the experiment's CSV, JSON and PNG files are written to; files
 *                of an earlier run of the same experiment are replaced
 * @param backend "auto", "cuda", "blas", "java" or "loop"
 * @param log     progress and summary lines; never null
 */
public record ExperimentContext(Path data, Path out, long seed, String backend, PrintWriter log) {

    public ExperimentContext {
        if (data == null) {
            throw new KindlingException("data: missing (a directory holding the Fashion-MNIST IDX files)");
        }
        if (out == null) {
            throw new KindlingException("out: missing (the directory for the experiment's files)");
        }
        backend = backend == null ? "auto" : backend;
        Backends.resolve(backend);
        if (log == null) {
            throw new KindlingException("log: missing (a writer for progress lines)");
        }
    }

    /** The data directory, opened (which checks that all four files are there). */
    public IdxDirectory dataDirectory() {
        return IdxDirectory.open(data);
    }

    /** A fresh backend: each network gets its own, as backends keep scratch buffers. */
    public Backend newBackend() {
        return Backends.create(backend);
    }

    /** The backend that {@link #newBackend()} builds in this JVM, for summaries. */
    public String resolvedBackend() {
        return Backends.resolve(backend);
    }

    /** Prints one progress line, formatted with {@link Locale#ROOT} so numbers read the same everywhere. */
    public void progress(String format, Object... args) {
        log.println(String.format(Locale.ROOT, format, args));
        log.flush();
    }
}
