package dev.kindling.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Directories nobody may create files in, for the permission-denied cases. Mode 555 stops a
 * normal user; root, whom modes do not stop (and tests often run as root, CI included), is
 * stopped by the immutable attribute (chattr +i), which access(2) also reports as not writable.
 * Where neither can be set the test is skipped. {@link #releaseAll} must run after each test, or
 * its temporary directory cannot be deleted.
 */
public final class Unwritable {
    private static final List<Path> MADE = new ArrayList<>();

    private Unwritable() {
    }

    /** Creates {@code dir} and takes away the right to create anything in it. */
    public static Path directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        MADE.add(dir);
        if (Files.isWritable(dir)) {
            chattr("+i", dir);
        }
        Assumptions.assumeFalse(Files.isWritable(dir), dir + ": cannot be made unwritable here (root, and chattr +i "
                + "failed)");
        return dir;
    }

    /** Gives back the rights taken by {@link #directory}. */
    public static void releaseAll() throws IOException {
        for (Path dir : MADE) {
            chattr("-i", dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        MADE.clear();
    }

    private static void chattr(String flag, Path dir) {
        try {
            Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no chattr here: the assumption in directory() skips the test
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
