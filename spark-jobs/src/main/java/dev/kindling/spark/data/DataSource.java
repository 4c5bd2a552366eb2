package dev.kindling.spark.data;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Where a job's examples come from, read and decoded on the executors into {@link Examples}
 * (the driver learns only their count and shape). Picked by {@link DataSources#open} from what is at the
 * location: the IDX files ({@link HadoopIdxDirectory}), Parquet ({@link ParquetSource}) or
 * image folders ({@link ImageFolderSource}).
 */
public interface DataSource {

    /** The format's name for messages: "IDX", "Parquet", "image folders". */
    String format();

    /**
     * The training examples.
     *
     * @param spark the session whose executors read them
     */
    Examples train(SparkSession spark);

    /** The test examples. */
    Examples test(SparkSession spark);

    /** Class names by label index where the data names its classes (image folders); else empty. */
    default List<String> classNames() {
        return List.of();
    }

    /** Lines worth printing about how the data was read (a test split, skipped files). */
    default List<String> notes() {
        return List.of();
    }

    /** What a model records about the data it was trained on (format, location, options, classes). */
    Map<String, Object> record();
}
