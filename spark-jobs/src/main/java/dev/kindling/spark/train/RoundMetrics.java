package dev.kindling.spark.train;

/**
 * One round's line of {@code metrics.jsonl} ({@code "type":"round"}): the mean training loss
 * and accuracy of the round's batches (training mode), and where the time went. Through the
 * driver: creating the broadcast, the slowest task's computation, the rest of the Spark job
 * (scheduling, shipping and merging results), and the driver's update (including destroying the
 * broadcast). Collective: the slowest task's computation and the rest of the slowest round
 * (exchange, slice update, waiting for the slowest peer) as {@code exchangeMs}. A part that does
 * not apply is NaN and left out of the line.
 */
public record RoundMetrics(long round, int epoch, long step, double loss, double accuracy, long examples,
                           double broadcastMs, double computeMs, double aggregateMs, double updateMs, double roundMs,
                           double exchangeMs) {

    /** A round through the driver. */
    public RoundMetrics(long round, int epoch, long step, double loss, double accuracy, long examples,
                        double broadcastMs, double computeMs, double aggregateMs, double updateMs, double roundMs) {
        this(round, epoch, step, loss, accuracy, examples, broadcastMs, computeMs, aggregateMs, updateMs, roundMs,
                Double.NaN);
    }

    /** A round of a collective segment. */
    static RoundMetrics collective(long round, int epoch, long step, double loss, double accuracy, long examples,
                                   double computeMs, double roundMs) {
        return new RoundMetrics(round, epoch, step, loss, accuracy, examples, Double.NaN, computeMs, Double.NaN,
                Double.NaN, roundMs, Math.max(0, roundMs - computeMs));
    }
}
