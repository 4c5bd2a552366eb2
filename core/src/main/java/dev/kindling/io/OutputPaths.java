package dev.kindling.io;

import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether an output directory can be written, asked before a command reads any data: a typo or a
 * directory without write access is then refused at once, not after the data has been read (and,
 * on Spark, a cluster started). The messages are shared by the Hadoop outputs of spark-jobs.
 */
public final class OutputPaths {
    private OutputPaths() {
    }

    /**
     * Refuses {@code dir}, the value of {@code --field} given as {@code location}, where it is a
     * file, where it would have to be created below a file, or where the nearest existing
     * directory on its path cannot be written to. Nothing is created.
     */
    public static void check(String field, String location, Path dir) {
        Path wanted = dir.toAbsolutePath();
        Path existing = wanted;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return; // nothing on the path exists, not even its root: the write will say why
        }
        boolean isDirectory = Files.isDirectory(existing);
        if (existing.equals(wanted)) {
            if (!isDirectory) {
                throw notADirectory(field, location);
            }
        } else if (!isDirectory) {
            throw underAFile(field, location, existing.toString());
        }
        // access(2), which also sees what modes do not say (root, read-only mounts, immutable files)
        if (!Files.isWritable(existing)) {
            throw permissionDenied(field, location, existing.equals(wanted) ? null : existing.toString());
        }
    }

    /** {@code location} exists and is a file. */
    public static UsageException notADirectory(String field, String location) {
        return new UsageException(field + ": " + location + " exists and is not a directory");
    }

    /** {@code location} would be a directory below {@code file}. */
    public static UsageException underAFile(String field, String location, String file) {
        return new UsageException(field + ": cannot create " + location + ": " + file + " is a file, not a directory; "
                + "choose another --" + field);
    }

    /**
     * No write access to {@code location}, or (where {@code in} is not null) to the directory
     * {@code in} it would be created in. A failed run, not a bad command line: the same command
     * works for someone who may write there.
     */
    public static KindlingException permissionDenied(String field, String location, String in) {
        String what = in == null ? "cannot write to " + location + ": permission denied"
                : "cannot create " + location + ": permission denied in " + in;
        return new KindlingException(field + ": " + what + "; choose another --" + field
                + " you may write to, or ask for write access to " + (in == null ? location : in));
    }
}
