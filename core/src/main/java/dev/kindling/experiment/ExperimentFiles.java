package dev.kindling.experiment;

import java.nio.file.Path;

/**
 * The three files every experiment writes into its output directory: the curve or table as
 * CSV, a JSON summary of the settings and results, and a PNG chart.
 */
public record ExperimentFiles(Path csv, Path json, Path png) {
}
