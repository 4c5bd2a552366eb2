package dev.kindling.spark.train;

import java.io.Serializable;

/** Summed data loss, correct predictions and examples of some shards, in inference mode. */
public final class EvaluationSum implements Serializable {
    private static final long serialVersionUID = 1L;

    double loss;
    long correct;
    long examples;

    EvaluationSum() {
    }

    EvaluationSum(double loss, long correct, long examples) {
        this.loss = loss;
        this.correct = correct;
        this.examples = examples;
    }

    EvaluationSum merge(EvaluationSum other) {
        loss += other.loss;
        correct += other.correct;
        examples += other.examples;
        return this;
    }
}
