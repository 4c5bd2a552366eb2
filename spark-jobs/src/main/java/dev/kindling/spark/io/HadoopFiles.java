package dev.kindling.spark.io;

import dev.kindling.io.OutputPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.security.AccessControlException;

/** Whole-file reads and atomic writes on any Hadoop file system: write under a temporary name, then rename. */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /**
     * Refuses the output location {@code location} (the value of {@code --field}, {@code dir} as a
     * path) as {@link OutputPaths#check} does, before the command reads anything. On a local disk
     * the check is java.nio's, whose access(2) knows root and read-only mounts (Hadoop's local
     * permissions compare mode bits only); on HDFS the namenode's; elsewhere (object stores, whose
     * permissions are made up) only whether the location or a parent is a file.
     */
    public static void checkOutput(FileSystem fs, Path dir, String field, String location) throws IOException {
        Path wanted = fs.makeQualified(dir);
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            OutputPaths.check(field, location, java.nio.file.Path.of(wanted.toUri()));
            return;
        }
        Path existing = wanted;
        while (existing != null && !fs.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        boolean itself = existing.equals(wanted);
        if (!fs.getFileStatus(existing).isDirectory()) {
            throw itself ? OutputPaths.notADirectory(field, location)
                    : OutputPaths.underAFile(field, location, existing.toString());
        }
        if ("hdfs".equals(wanted.toUri().getScheme())) {
            try {
                fs.access(existing, FsAction.WRITE);
            } catch (AccessControlException e) {
                throw OutputPaths.permissionDenied(field, location, itself ? null : existing.toString());
            }
        }
    }

    public static byte[] read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** Every plain file of {@code dir}, by name. */
    public static Map<String, byte[]> readDirectory(FileSystem fs, Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isFile()) {
                files.put(s.getPath().getName(), read(fs, s.getPath()));
            }
        }
        return files;
    }

    /** Writes {@code bytes} to {@code file} through a temporary sibling renamed over it. */
    public static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp-" + System.nanoTime());
        try {
            try (OutputStream out = fs.create(tmp, false)) {
                out.write(bytes);
            }
            if (fs.exists(file)) {
                fs.delete(file, false);
            }
            if (!fs.rename(tmp, file)) {
                throw new IOException("cannot rename " + tmp + " to " + file);
            }
        } finally {
            fs.delete(tmp, false);
        }
    }

    /**
     * Replaces the directory {@code target} with one holding {@code files}: they are written
     * into a temporary sibling; the old directory, if any, is renamed to {@code old}; the new
     * one is renamed into place; then {@code old} is deleted. At every moment {@code target} or
     * {@code old} holds a complete directory.
     */
    public static void writeDirectory(FileSystem fs, Path target, Path old, Map<String, byte[]> files) throws IOException {
        Path parent = target.getParent();
        Path tmp = new Path(parent, "." + target.getName() + ".tmp-" + System.nanoTime());
        try {
            fs.mkdirs(tmp);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                try (OutputStream out = fs.create(new Path(tmp, f.getKey()), false)) {
                    out.write(f.getValue());
                }
            }
            fs.delete(old, true);
            if (fs.exists(target) && !fs.rename(target, old)) {
                throw new IOException("cannot rename " + target + " to " + old);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            fs.delete(old, true);
        } finally {
            fs.delete(tmp, true);
        }
    }
}
