package dev.kindling.spark;

import dev.kindling.data.Dataset;

/**
 * Where a job's examples come from, decoded once on the driver into compact {@link Dataset}s.
 * The IDX directory is the one source today; Parquet and image folders are to be added as
 * further implementations picked by {@link DataSources#open}.
 */
interface DataSource {

    /** The training examples. */
    Dataset train();

    /** The test examples. */
    Dataset test();
}
