package dev.kindling.spark.data;

import dev.kindling.data.Dataset;
import java.io.Serializable;

/** Reads examples {@code [from, to)} of a source where a task runs, so that they never pass through the driver. */
public interface RangeReader extends Serializable {
    Dataset read(int from, int to);
}
