package dev.kindling.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Publishing files so that a reader sees the old version or the new one, never a mix: write
 * everything under a temporary name in the same directory, then rename.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Fills a fresh directory. */
    @FunctionalInterface
    public interface DirectoryWriter {
        void write(Path dir) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes bytes to {@code target} through a temporary sibling and an atomic rename. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = temporarySibling(parent, target.getFileName().toString());
        try {
            // CREATE_NEW: a fresh file whose mode follows the umask, as the renamed result should
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Builds a directory under a temporary sibling name, then swaps it in for {@code target}.
     * If the writer fails, the previous {@code target} is untouched and the temporary is removed.
     */
    public static void writeDirectory(Path target, DirectoryWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        String name = abs.getFileName().toString();
        Path tmp = Files.createDirectory(temporarySibling(parent, name));
        Path old = null;
        try {
            writer.write(tmp);
            if (Files.exists(abs)) {
                old = parent.resolve("." + name + ".old-" + System.nanoTime());
                move(abs, old);
            }
            move(tmp, abs);
        } finally {
            deleteRecursively(tmp);
            if (old != null) {
                deleteRecursively(old);
            }
        }
    }

    /**
     * A name for a temporary sibling of {@code name} in {@code parent}, not created. Files.createTempFile
     * and createTempDirectory are not used: they create with modes 600 and 700 whatever the umask,
     * and the rename would hand those on to outputs that others must read (a served model).
     */
    private static Path temporarySibling(Path parent, String name) {
        return parent.resolve("." + name + ".tmp-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
