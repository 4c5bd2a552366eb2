package dev.kindling.data;

import dev.kindling.KindlingException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory holding the four IDX files of MNIST or Fashion-MNIST under their usual names,
 * each raw or gzip: {@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]},
 * {@code t10k-images-idx3-ubyte[.gz]} and {@code t10k-labels-idx1-ubyte[.gz]}. Where both
 * forms of a name exist the gzip one wins, as that is how the data is published and packaged.
 *
 * <p>This class only finds local files; {@link IdxFile#read(java.io.InputStream, String, int)}
 * and {@link Dataset#fromIdx(IdxFile, IdxFile, int)} serve other filesystems.
 */
public final class IdxDirectory {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the data. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    /** Where {@code scripts/fetch-data} downloads the data when the package is not available. */
    public static final Path CACHE_FASHION_MNIST =
            Path.of(System.getProperty("user.home"), ".cache", "kindling", "fashion-mnist");

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** The four names without their optional ".gz". */
    public static final List<String> BASE_NAMES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private static final String FETCH_HINT = "scripts/fetch-data installs Fashion-MNIST";

    private final Path directory;
    private final Path trainImages;
    private final Path trainLabels;
    private final Path testImages;
    private final Path testLabels;

    private IdxDirectory(Path directory, List<Path> files) {
        this.directory = directory;
        this.trainImages = files.get(0);
        this.trainLabels = files.get(1);
        this.testImages = files.get(2);
        this.testLabels = files.get(3);
    }

    /**
     * Finds the four files in {@code directory}; reading them waits for {@link #loadTrain()}
     * and {@link #loadTest()}.
     *
     * @throws KindlingException if the directory does not exist, is empty, or lacks a file
     */
    public static IdxDirectory open(Path directory) {
        if (!Files.exists(directory)) {
            throw new KindlingException(directory + ": data directory does not exist (" + FETCH_HINT + ")");
        }
        if (!Files.isDirectory(directory)) {
            throw new KindlingException(directory + ": is not a directory (expected a directory holding "
                    + expectedNames() + ")");
        }
        if (isEmpty(directory)) {
            throw new KindlingException(directory + ": data directory is empty (expected "
                    + expectedNames() + "; " + FETCH_HINT + ")");
        }
        List<Path> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String base : BASE_NAMES) {
            Optional<Path> file = find(directory, base);
            if (file.isPresent()) {
                found.add(file.get());
            } else {
                missing.add(base + "[.gz]");
            }
        }
        if (!missing.isEmpty()) {
            throw new KindlingException(directory + ": missing " + String.join(", ", missing)
                    + " (looked for each name with and without .gz)");
        }
        return new IdxDirectory(directory, found);
    }

    /**
     * The first of {@link #DEBIAN_FASHION_MNIST} and {@link #CACHE_FASHION_MNIST} that holds all
     * four files, the places {@code scripts/fetch-data} puts them.
     */
    public static Optional<Path> findInstalled() {
        for (Path candidate : List.of(DEBIAN_FASHION_MNIST, CACHE_FASHION_MNIST)) {
            if (Files.isDirectory(candidate)
                    && BASE_NAMES.stream().allMatch(base -> find(candidate, base).isPresent())) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The file names tried for {@code baseName}, preferred first: gzip, then raw. */
    public static List<String> fileNames(String baseName) {
        return List.of(baseName + ".gz", baseName);
    }

    public Path directory() {
        return directory;
    }

    public Path trainImages() {
        return trainImages;
    }

    public Path trainLabels() {
        return trainLabels;
    }

    public Path testImages() {
        return testImages;
    }

    public Path testLabels() {
        return testLabels;
    }

    /** Reads the training set with {@link Dataset#DEFAULT_CLASSES} classes. */
    public Dataset loadTrain() {
        return loadTrain(Dataset.DEFAULT_CLASSES);
    }

    public Dataset loadTrain(int classes) {
        return Dataset.read(trainImages, trainLabels, classes);
    }

    /** Reads the test set with {@link Dataset#DEFAULT_CLASSES} classes. */
    public Dataset loadTest() {
        return loadTest(Dataset.DEFAULT_CLASSES);
    }

    public Dataset loadTest(int classes) {
        return Dataset.read(testImages, testLabels, classes);
    }

    /**
     * The training set as {@code classes} classes, a count the files cannot give (IDX labels are
     * bare bytes) and the caller can, e.g. a network's outputs; {@code countedBy} says so in the
     * message about a label not below it, which names the labels file, the index and the label.
     */
    public Dataset loadTrain(int classes, String countedBy) {
        return Dataset.read(trainImages, trainLabels, Dataset.MAX_CLASSES).withClasses(classes, countedBy);
    }

    /** The test set as {@code classes} classes; see {@link #loadTrain(int, String)}. */
    public Dataset loadTest(int classes, String countedBy) {
        return Dataset.read(testImages, testLabels, Dataset.MAX_CLASSES).withClasses(classes, countedBy);
    }

    @Override
    public String toString() {
        return "IdxDirectory[" + directory + "]";
    }

    private static Optional<Path> find(Path directory, String baseName) {
        for (String name : fileNames(baseName)) {
            Path file = directory.resolve(name);
            if (Files.isRegularFile(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    private static boolean isEmpty(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new KindlingException(directory + ": cannot list the data directory: " + IdxFile.reason(e), e);
        }
    }

    private static String expectedNames() {
        List<String> names = new ArrayList<>();
        for (String base : BASE_NAMES) {
            names.add(base + "[.gz]");
        }
        return String.join(", ", names);
    }
}
