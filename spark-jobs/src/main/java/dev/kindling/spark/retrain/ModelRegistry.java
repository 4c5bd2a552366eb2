package dev.kindling.spark.retrain;

import dev.kindling.KindlingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.OptionalInt;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A directory of model versions on a Hadoop file system: {@code v1}, {@code v2}, ... (each what
 * ModelFile writes) and {@code CURRENT}, a one-line file naming the promoted version.
 *
 * <p>Concurrency rests on one primitive, {@code FileSystem.create(path, overwrite=false)}, which
 * fails when the file exists: the lock ({@code LOCK}, holding its holder and time) and each version
 * number ({@code vN.claim}) are claimed that way, so two runs never get the same number or both
 * hold the lock. {@code CURRENT} is written under a pending name and renamed (see promote).
 */
public final class ModelRegistry {
    static final String CURRENT = "CURRENT";
    static final String LOCK = "LOCK";
    /** The marker of a stale lock's takeover, named after the stale lock's modification time. */
    static final String TAKEOVER = ".LOCK.takeover-";
    /** A promotion's new pointer, written in full before it is renamed to CURRENT. */
    static final String PENDING = ".CURRENT.pending-";

    private final FileSystem fs;
    private final Path root;

    public ModelRegistry(FileSystem fs, Path root) throws IOException {
        this.fs = fs;
        this.root = root;
        fs.mkdirs(root);
    }

    /**
     * The promoted version, or empty for an empty registry. Where {@code CURRENT} is missing but a
     * promotion's pending file is there, the promotion was decided and cut short between removing
     * the old pointer and renaming the new one in (possible only on file systems whose rename
     * cannot replace a file atomically): its version is the current one.
     */
    public OptionalInt current() throws IOException {
        Path p = new Path(root, CURRENT);
        if (!pointers().exists(p)) {
            OptionalInt pending = OptionalInt.empty();
            for (FileStatus f : pointers().listStatus(root, path -> path.getName().startsWith(PENDING))) {
                int v = parse(f.getPath());
                if (pending.isEmpty() || v > pending.getAsInt()) {
                    pending = OptionalInt.of(v);
                }
            }
            return pending;
        }
        return OptionalInt.of(parse(p));
    }

    private int parse(Path p) throws IOException {
        String text;
        try (InputStream in = pointers().open(p)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        if (!text.matches("v[1-9][0-9]*")) {
            throw new KindlingException(p + ": expected a version such as v1, found '" + text + "'");
        }
        return Integer.parseInt(text.substring(1));
    }

    public Path versionDir(int version) {
        return new Path(root, "v" + version);
    }

    /** Claims the next free version number; concurrent callers get distinct numbers. */
    public int claimVersion() throws IOException {
        for (int v = 1; ; v++) {
            if (fs.exists(new Path(root, "v" + v + ".claim"))) {
                continue;
            }
            if (createExclusive(new Path(root, "v" + v + ".claim"), Instant.now().toString())) {
                return v;
            } else {
                // another run took v between the check and the create: try the next one
            }
        }
    }

    /**
     * Points CURRENT at {@code version}: a pending file, then a rename that replaces CURRENT in one
     * step where the file system can (a local disk's rename(2), HDFS's rename with OVERWRITE).
     */
    public void promote(int version) throws IOException {
        Path target = new Path(root, CURRENT);
        Path pending = new Path(root, PENDING + System.nanoTime());
        try (OutputStream out = pointers().create(pending, false)) {
            out.write(("v" + version + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (pointers() instanceof RawLocalFileSystem) {
            // renames over an existing file atomically
            if (!pointers().rename(pending, target)) {
                throw new IOException("cannot rename " + pending + " to " + target);
            }
        } else {
            FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(pending, target, Options.Rename.OVERWRITE);
        }
        // one left by a promotion cut short is spent now that CURRENT is there again
        for (FileStatus f : pointers().listStatus(root, p -> p.getName().startsWith(PENDING))) {
            pointers().delete(f.getPath(), false);
        }
    }

    /**
     * Takes the registry's lock: creates {@code LOCK} only if absent, holding {@code holder} and
     * the time. A lock older than {@code staleAfterMillis} (its holder died) is taken over by one
     * run alone: the runs that find the same stale lock race to create a takeover marker named
     * after that lock's time, and only the one that creates it removes the lock and takes it.
     * (Removing the stale lock directly would let a second run remove the first's new lock.)
     *
     * @return false when another live holder has it, or another run is taking it over
     */
    public boolean tryLock(String holder, long staleAfterMillis) throws IOException {
        Path lock = new Path(root, LOCK);
        for (int attempt = 0; attempt < 2; attempt++) {
            if (createExclusive(lock, holder + "\n" + Instant.now() + "\n")) {
                return true;
            }
            long modified;
            try {
                modified = fs.getFileStatus(lock).getModificationTime();
            } catch (java.io.FileNotFoundException released) {
                continue;
            }
            if (System.currentTimeMillis() - modified <= staleAfterMillis) {
                return false;
            }
            if (!createExclusive(new Path(root, TAKEOVER + modified), holder + "\n" + Instant.now() + "\n")) {
                return false; // another run won this stale lock
            }
            fs.delete(lock, false);
        }
        return false;
    }

    public void unlock() throws IOException {
        fs.delete(new Path(root, LOCK), false);
    }

    /**
     * Removes the registry's directory where it holds nothing (the lock released, no version, no
     * run recorded): what a run that created it and then failed leaves. Never fails: this runs
     * while the run's own error is on its way out, and an empty directory left behind is harmless.
     */
    public void removeIfEmpty() {
        try {
            if (fs.listStatus(root).length == 0) {
                fs.delete(root, false); // not recursive: a file another run has just put there stays
            }
        } catch (IOException e) {
            // left as it is
        }
    }

    /**
     * Creates {@code file} holding {@code text} only if it does not exist; false if it does.
     * HDFS's create(overwrite=false) is atomic; the local file system's checks and then creates,
     * so there the file is created with O_EXCL through java.nio instead.
     */
    private boolean createExclusive(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            java.nio.file.Path local = java.nio.file.Path.of(fs.makeQualified(file).toUri());
            try {
                java.nio.file.Files.write(local, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                return false;
            }
        }
        try (OutputStream out = fs.create(file, false)) {
            out.write(bytes);
            return true;
        } catch (FileAlreadyExistsException taken) {
            return false;
        }
    }

    /**
     * The file system CURRENT and its pending files are kept on: on a local disk the raw one, so
     * that no checksum side file has to be renamed along with them.
     */
    private FileSystem pointers() {
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }
}
