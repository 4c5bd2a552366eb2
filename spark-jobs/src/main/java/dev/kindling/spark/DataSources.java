package dev.kindling.spark;

import dev.kindling.KindlingException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Picks the {@link DataSource} for a location given on the command line. */
final class DataSources {
    private DataSources() {
    }

    /**
     * The source at {@code location}, any Hadoop path (plain local paths, file://, hdfs://, ...).
     *
     * @throws KindlingException if the location does not exist or holds no supported data
     */
    static DataSource open(String location, Configuration conf) {
        Path path = new Path(location);
        FileSystem fs;
        try {
            fs = path.getFileSystem(conf);
        } catch (IOException | RuntimeException e) {
            throw new KindlingException("data: cannot reach " + location + ": " + e.getMessage(), e);
        }
        return HadoopIdxDirectory.open(fs, path);
    }
}
