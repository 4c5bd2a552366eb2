package dev.kindling.spark.train;

/** Where a run keeps its latest checkpoint. */
public interface CheckpointStore {

    /** Replaces the latest checkpoint, atomically: a crash leaves the old one or the new one. */
    void save(Checkpoint checkpoint);

    /** The latest checkpoint, or null when there is none. */
    Checkpoint load();
}
