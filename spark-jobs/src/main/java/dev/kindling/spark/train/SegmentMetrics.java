package dev.kindling.spark.train;

/**
 * One collective segment's line of {@code metrics.jsonl} ({@code "type":"segment"}): its rounds,
 * the barrier stage's whole time, its launch cost (the stage's time less the slowest task's: scheduling,
 * shipping the plan, returning the results), the tasks' meeting (rendezvous and connections), the
 * bytes a task sent per round, and the attempts it took.
 */
public record SegmentMetrics(long firstRound, int rounds, int tasks, double stageMs, double launchMs,
                             double connectMs, long bytesPerTaskPerRound, int attempts) {
}
