package dev.kindling.spark.train;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;

/**
 * The rounds a collective segment runs, as the driver hands them to its barrier stage: the
 * broadcast start (parameters, network state, the whole optimizer state), each round's batch
 * as offsets and counts per shard ({@link BatchSlice}; in local mode one per local step), and
 * what the tasks need to step and to judge divergence as the driver would.
 *
 * @param firstRound the number of the segment's first round
 * @param firstStep  optimizer steps taken before the segment
 * @param boundFirst the loss bound's first loss so far, NaN for none
 * @param rendezvous where the tasks meet ({@link dev.kindling.spark.exchange.Rendezvous}), or null
 *                   where they share one JVM
 */
record SegmentPlan(Broadcast<ParameterBlock> start, BatchSlice[][] rounds, long firstRound, long firstStep,
                   boolean local, String spec, String backend, StepSettings steps, long seed, double boundFirst,
                   String rendezvous)
        implements Serializable {

    int roundCount() {
        return rounds.length;
    }
}
