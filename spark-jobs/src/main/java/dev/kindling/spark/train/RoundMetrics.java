package dev.kindling.spark.train;

/**
 * One round's line of {@code metrics.jsonl} ({@code "type":"round"}): the mean training loss
 * and accuracy of the round's batches (training mode), and where the time went: creating the
 * broadcast, the slowest task's computation, the rest of the Spark job (scheduling, shipping
 * and merging results), and the driver's update (including destroying the broadcast).
 */
public record RoundMetrics(long round, int epoch, long step, double loss, double accuracy, long examples,
                    double broadcastMs, double computeMs, double aggregateMs, double updateMs, double roundMs) {
}
