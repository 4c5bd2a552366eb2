package dev.kindling.spark.train;

import dev.kindling.train.Evaluation;
import java.io.Serializable;

/**
 * Summed data loss, correct predictions and examples of some shards or partitions, in
 * inference mode: what their tasks send back in place of the examples.
 */
public final class EvaluationSum implements Serializable {
    private static final long serialVersionUID = 1L;

    double loss;
    long correct;
    long examples;

    public EvaluationSum() {
    }

    public EvaluationSum(double loss, long correct, long examples) {
        this.loss = loss;
        this.correct = correct;
        this.examples = examples;
    }

    /** Adds {@code other} to this sum and returns it. */
    public EvaluationSum merge(EvaluationSum other) {
        loss += other.loss;
        correct += other.correct;
        examples += other.examples;
        return this;
    }

    /** The mean loss and the accuracy, as {@link dev.kindling.train.Trainer#evaluate} gives them (NaN for no examples). */
    public Evaluation evaluation() {
        if (examples == 0) {
            return new Evaluation(Double.NaN, Double.NaN, 0);
        }
        return new Evaluation(loss / examples, (double) correct / examples, Math.toIntExact(examples));
    }
}
