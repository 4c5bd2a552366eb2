package dev.kindling.spark.io;

import dev.kindling.KindlingException;
import dev.kindling.io.ModelFile;
import dev.kindling.spark.runtime.SparkErrors;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.ChecksumFileSystem;
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
            Path inRun = new Path(dir, ModelFile.IN_RUN);
            if (!fs.exists(description) && fs.exists(new Path(inRun, ModelFile.DESCRIPTION))) {
                throw new KindlingException(ModelFile.runNotModel(location, inRun.toString()));
            }
            for (Path p : new Path[] {description, weights}) {
                if (!fs.exists(p)) {
                    throw new KindlingException(p + ": model file not found (--model names a model directory, "
                            + "OUT/model)");
                }
            }
            byte[] descriptionBytes;
            try {
                descriptionBytes = HadoopFiles.read(fs, description);
            } catch (ChecksumException e) {
                // model.json holds no checksum of its own: a changed digit could still parse
                throw new KindlingException(description + ": does not match "
                        + (fs instanceof ChecksumFileSystem c ? "its checksum in " + c.getChecksumFile(description).getName()
                                : "the file system's checksum") + "; the model description is corrupted", e);
            }
            return ModelFile.parse(description.toString(), descriptionBytes, weights.toString(),
                    readWeights(fs, weights));
        } catch (IOException e) {
            throw new KindlingException(location + ": cannot read the model: " + SparkErrors.firstLine(e), e);
        }
    }

    /**
     * The bytes of weights.bin. Where the file system keeps a .crc beside each file (Hadoop's
     * local one, under every local master) and the bytes do not match it, they are read again
     * without that check: model.json records the weights' CRC-32, and {@link ModelFile#parse}
     * checking it gives the same message for a corrupted model on every file system and master.
     */
    private static byte[] readWeights(FileSystem fs, Path weights) throws IOException {
        try {
            return HadoopFiles.read(fs, weights);
        } catch (ChecksumException e) {
            if (fs instanceof ChecksumFileSystem checked) {
                return HadoopFiles.read(checked.getRawFileSystem(), weights);
            }
            throw new KindlingException(weights + ": does not match the file system's checksum; the weights are"
                    + " corrupted (" + SparkErrors.firstLine(e) + ")", e);
        }
    }
}
