package dev.kindling.train;

import java.util.List;

/**
 * What a training run produced, epoch by epoch; {@code bestEpoch} is the epoch with the lowest
 * evaluation loss, and {@code stoppedEarly} says whether patience ran out before the last epoch.
 */
public record History(List<EpochMetrics> epochs, int bestEpoch, boolean stoppedEarly) {

    public EpochMetrics last() {
        return epochs.get(epochs.size() - 1);
    }
}
