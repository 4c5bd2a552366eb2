package dev.kindling.train;

import dev.kindling.UsageException;
import dev.kindling.config.EvaluateJob;
import dev.kindling.config.TrainJob;
import java.io.PrintWriter;

/**
 * A trainer for masters other than {@code single}, found with {@link java.util.ServiceLoader}
 * so that the core needs no cluster library: the Spark trainer (module {@code spark-jobs})
 * registers one in {@code META-INF/services/dev.kindling.train.DistributedTraining}.
 */
public interface DistributedTraining {

    /** Whether this trainer runs jobs on {@code master} (e.g. "local[2]", "spark://host:7077"). */
    boolean supports(String master);

    /**
     * Runs the job, writing progress to {@code out}, and returns the exit code. Errors are
     * thrown as {@link dev.kindling.KindlingException} ({@link UsageException} for a bad value).
     */
    int train(TrainJob job, PrintWriter out);

    /**
     * Evaluates a saved model on the test set of data the core does not read itself, printing
     * one JSON object ({@code accuracy}, {@code loss}, {@code examples}) to {@code out}, and
     * returns the exit code.
     */
    default int evaluate(EvaluateJob job, PrintWriter out) {
        throw new UsageException("evaluate: " + getClass().getSimpleName() + " does not evaluate models");
    }
}
