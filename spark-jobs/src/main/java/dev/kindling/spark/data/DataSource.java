package dev.kindling.spark.data;

import dev.kindling.data.Dataset;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Where a job's examples come from, decoded into compact {@link Dataset}s on the driver (which
 * then shards them, {@link Shards}). Picked by {@link DataSources#open} from what is at the
 * location: the IDX files ({@link HadoopIdxDirectory}), Parquet ({@link ParquetSource}) or
 * image folders ({@link ImageFolderSource}).
 */
public interface DataSource {

    /** The format's name for messages: "IDX", "Parquet", "image folders". */
    String format();

    /**
     * The training examples.
     *
     * @param spark the session to read with; sources read on the driver alone (IDX) ignore it
     */
    Dataset train(SparkSession spark);

    /** The test examples. */
    Dataset test(SparkSession spark);

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

    /**
     * The file each example of the training ({@code test} false) or test set came from, in the
     * order {@link #train}/{@link #test} gave them, for sources whose examples are files of their
     * own (image folders), after that set was read; else empty.
     */
    default List<String> files(boolean test) {
        return List.of();
    }
}
