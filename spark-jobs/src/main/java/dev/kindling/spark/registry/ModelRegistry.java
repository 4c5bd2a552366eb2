package dev.kindling.spark.registry;

import dev.kindling.KindlingException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.OptionalInt;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A directory of model versions on a Hadoop file system: {@code v1}, {@code v2}, ... (each what
 * ModelFile writes) and {@code CURRENT}, a one-line file naming the promoted version.
 *
 * <p>Concurrency rests on one primitive, {@code FileSystem.create(path, overwrite=false)}, which
 * fails when the file exists: the lock ({@code LOCK}, holding its holder and time) and each version
 * number ({@code vN.claim}) are claimed that way, so two runs never get the same number or both
 * hold the lock. {@code CURRENT} is written under a temporary name and renamed.
 */
public final class ModelRegistry {
    static final String CURRENT = "CURRENT";
    static final String LOCK = "LOCK";

    private final FileSystem fs;
    private final Path root;

    public ModelRegistry(FileSystem fs, Path root) throws IOException {
        this.fs = fs;
        this.root = root;
        fs.mkdirs(root);
    }

    /** The promoted version, or empty for an empty registry. */
    public OptionalInt current() throws IOException {
        Path p = new Path(root, CURRENT);
        if (!fs.exists(p)) {
            return OptionalInt.empty();
        }
        String text = new String(read(p), StandardCharsets.UTF_8).trim();
        if (!text.matches("v[1-9][0-9]*")) {
            throw new KindlingException(p + ": expected a version such as v1, found '" + text + "'");
        }
        return OptionalInt.of(Integer.parseInt(text.substring(1)));
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

    /** Points CURRENT at {@code version}, atomically (temporary file, then rename). */
    public void promote(int version) throws IOException {
        Path target = new Path(root, CURRENT);
        Path tmp = new Path(root, "." + CURRENT + ".tmp-" + System.nanoTime());
        try {
            try (OutputStream out = fs.create(tmp, false)) {
                out.write(("v" + version + "\n").getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
        } finally {
            fs.delete(tmp, false);
        }
    }

    /**
     * Takes the registry's lock: creates {@code LOCK} only if absent, holding {@code holder} and
     * the time. A lock older than {@code staleAfterMillis} (its holder died) is removed and taken.
     *
     * @return false when another live holder has it
     */
    public boolean tryLock(String holder, long staleAfterMillis) throws IOException {
        Path lock = new Path(root, LOCK);
        for (int attempt = 0; attempt < 2; attempt++) {
            if (createExclusive(lock, holder + "\n" + Instant.now() + "\n")) {
                return true;
            } else {
                long age;
                try {
                    age = System.currentTimeMillis() - fs.getFileStatus(lock).getModificationTime();
                } catch (java.io.FileNotFoundException released) {
                    continue;
                }
                if (age <= staleAfterMillis) {
                    return false;
                }
                fs.delete(lock, false);
            }
        }
        return false;
    }

    public void unlock() throws IOException {
        fs.delete(new Path(root, LOCK), false);
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

    private byte[] read(Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
