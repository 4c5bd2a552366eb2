package dev.kindling.spark.io;

import dev.kindling.KindlingException;
import dev.kindling.io.ModelFile;
import dev.kindling.spark.runtime.SparkErrors;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Saved models read from any Hadoop file system. */
public final class ModelDirectory {
    private ModelDirectory() {
    }

    /** A model directory (model.json and weights.bin) on any Hadoop file system. */
    public static ModelFile.Contents read(String location, Configuration hadoop) {
        Path dir = new Path(location);
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            // a save interrupted between moving the old model aside and renaming the new one into
            // place leaves only the old one, complete, beside it (RunOutput.saveModel)
            Path aside = dir.getParent() == null ? null : new Path(dir.getParent(), "." + dir.getName() + ".old");
            if (!fs.exists(dir) && aside != null && fs.exists(aside)) {
                dir = aside;
            }
            Path description = new Path(dir, ModelFile.DESCRIPTION);
            Path weights = new Path(dir, ModelFile.WEIGHTS);
            for (Path p : new Path[] {description, weights}) {
                if (!fs.exists(p)) {
                    throw new KindlingException(p + ": model file not found (--model names a model directory, "
                            + "OUT/model)");
                }
            }
            return ModelFile.parse(description.toString(), HadoopFiles.read(fs, description), weights.toString(),
                    HadoopFiles.read(fs, weights));
        } catch (IOException e) {
            throw new KindlingException(location + ": cannot read the model: " + SparkErrors.firstLine(e), e);
        }
    }
}
