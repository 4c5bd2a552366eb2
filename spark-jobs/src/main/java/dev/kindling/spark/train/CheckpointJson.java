package dev.kindling.spark.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * {@code checkpoint.json} as Jackson writes and reads it: the checkpoint's position, the run
 * settings a resume must match, and the size and CRC-32 of {@code optimizer.bin}. Every value is
 * boxed so that a field missing from a file reads as null, which {@link Checkpoint#parse} reports
 * by name, rather than as 0.
 *
 * <p>The names and their order are the on-disk format (version {@link Checkpoint#VERSION}); the
 * order is pinned so that another Jackson version writes the same bytes. Unknown fields are
 * ignored, as they always were: the format and version, checked before binding, say what a file is.
 *
 * @param bestLoss null while no epoch has been evaluated (the checkpoint's NaN)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"format", "version", "round", "step", "epoch", "position", "epoch_complete", "elapsed_seconds",
        "best_loss", "best_epoch", "seed", "mode", "local_steps", "examples", "batch", "optimizer_state",
        "optimizer_checksum"})
record CheckpointJson(
        String format,
        Integer version,
        Long round,
        Long step,
        Integer epoch,
        Long position,
        @JsonProperty("epoch_complete") Boolean epochComplete,
        @JsonProperty("elapsed_seconds") Double elapsedSeconds,
        @JsonProperty("best_loss") Double bestLoss,
        @JsonProperty("best_epoch") Integer bestEpoch,
        Long seed,
        String mode,
        @JsonProperty("local_steps") Integer localSteps,
        Integer examples,
        Integer batch,
        @JsonProperty("optimizer_state") Integer optimizerState,
        @JsonProperty("optimizer_checksum") String optimizerChecksum) {
}
