package dev.kindling.data;

import static dev.kindling.data.IdxBytes.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void loadsTrainAndTestSets() {
        writeSet(dir, "train", 6, ".gz");
        writeSet(dir, "t10k", 3, "");

        IdxDirectory data = IdxDirectory.open(dir);
        Dataset train = data.loadTrain();
        Dataset test = data.loadTest();

        assertEquals(6, train.size());
        assertEquals(3, test.size());
        assertEquals(4, train.height());
        assertEquals(5, train.width());
        assertEquals(dir.resolve("train-images-idx3-ubyte.gz"), data.trainImages());
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte"), data.testLabels());
        assertEquals(2, test.label(2));
    }

    @Test
    void prefersGzipWhenBothFormsExist() {
        writeSet(dir, "train", 6, ".gz");
        writeSet(dir, "t10k", 3, ".gz");
        writeSet(dir, "train", 2, "");

        IdxDirectory data = IdxDirectory.open(dir);

        assertEquals(dir.resolve("train-images-idx3-ubyte.gz"), data.trainImages());
        assertEquals(6, data.loadTrain().size());
    }

    @Test
    void passesTheNumberOfClassesOn() {
        writeSet(dir, "train", 6, "");
        writeSet(dir, "t10k", 3, "");
        IdxDirectory data = IdxDirectory.open(dir);
        assertEquals(5, data.loadTrain(5).classes());
        KindlingException e = assertThrows(KindlingException.class, () -> data.loadTest(2));
        assertTrue(e.getMessage().contains("label 2 at index 2 is out of range for 2 classes"), e.getMessage());
    }

    @Test
    void missingDirectory() {
        Path missing = dir.resolve("fashion");
        KindlingException e = assertThrows(KindlingException.class, () -> IdxDirectory.open(missing));
        assertEquals(missing + ": data directory does not exist (scripts/fetch-data installs Fashion-MNIST)",
                e.getMessage());
    }

    @Test
    void fileInsteadOfDirectory() {
        Path file = write(dir.resolve("train-images-idx3-ubyte.gz"), new byte[] {1});
        KindlingException e = assertThrows(KindlingException.class, () -> IdxDirectory.open(file));
        assertTrue(e.getMessage().startsWith(file + ": is not a directory"), e.getMessage());
    }

    @Test
    void emptyDirectory() {
        KindlingException e = assertThrows(KindlingException.class, () -> IdxDirectory.open(dir));
        assertTrue(e.getMessage().startsWith(dir + ": data directory is empty (expected train-images-idx3-ubyte[.gz], "),
                e.getMessage());
    }

    @Test
    void missingFile() throws IOException {
        writeSet(dir, "train", 6, ".gz");
        writeSet(dir, "t10k", 3, ".gz");
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));

        KindlingException e = assertThrows(KindlingException.class, () -> IdxDirectory.open(dir));
        assertEquals(dir + ": missing t10k-labels-idx1-ubyte[.gz] (looked for each name with and without .gz)",
                e.getMessage());
    }

    @Test
    void missingFilesAreAllNamed() {
        writeSet(dir, "train", 6, ".gz");
        KindlingException e = assertThrows(KindlingException.class, () -> IdxDirectory.open(dir));
        assertTrue(e.getMessage().contains("missing t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]"),
                e.getMessage());
    }

    @Test
    void badFileIsNamedWhenLoading() {
        writeSet(dir, "train", 6, ".gz");
        writeSet(dir, "t10k", 3, ".gz");
        Path labels = write(dir.resolve("t10k-labels-idx1-ubyte.gz"), new byte[0]);

        IdxDirectory data = IdxDirectory.open(dir);
        KindlingException e = assertThrows(KindlingException.class, data::loadTest);
        assertEquals(labels + ": is empty (0 bytes)", e.getMessage());
    }

    @Test
    void namesGzipFirst() {
        assertEquals(List.of("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte"),
                IdxDirectory.fileNames(IdxDirectory.TEST_IMAGES));
    }

    /** {@code count} 4×5 images with labels i mod 5, as {@code prefix}-images/-labels files. */
    private static void writeSet(Path dir, String prefix, int count, String suffix) {
        byte[] pixels = IdxBytes.counting(count * 20);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 5);
        }
        IdxFile.images(count, 4, 5, pixels).write(dir.resolve(prefix + "-images-idx3-ubyte" + suffix));
        IdxFile.labels(labels).write(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix));
    }
}
