package dev.kindling.spark;

import java.io.IOException;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The local file system, except that a rename onto the name {@link #crashOnRenameTo} fails: the
 * state a process killed between writing a directory and publishing it leaves behind. Used as
 * {@code fs.file.impl} (with the cache off) in a test's Hadoop configuration.
 */
public class CrashingFileSystem extends LocalFileSystem {
    public static volatile String crashOnRenameTo;

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        if (dst.getName().equals(crashOnRenameTo)) {
            throw new IOException("injected crash before renaming " + src + " to " + dst);
        }
        return super.rename(src, dst);
    }
}
