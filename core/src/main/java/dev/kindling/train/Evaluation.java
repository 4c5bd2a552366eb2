package dev.kindling.train;

/** Mean loss and accuracy of a model over a dataset, in inference mode. */
public record Evaluation(double loss, double accuracy, int examples) {
}
