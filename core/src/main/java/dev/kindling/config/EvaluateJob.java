package dev.kindling.config;

import java.util.Map;

/**
 * {@code kindling evaluate} as it is handed to a {@link DistributedTraining} (data the core does
 * not read itself: Parquet, image folders, Hadoop paths).
 *
 * @param model       the model directory as given (a local path or a Hadoop URI)
 * @param data        the data location as given
 * @param dataOptions the data source's options; null for those the model was trained with
 * @param backend     the compute backend's name
 * @param master      the Spark master; null for the default
 */
public record EvaluateJob(String model, String data, Map<String, String> dataOptions, String backend,
                          String master) {
}
