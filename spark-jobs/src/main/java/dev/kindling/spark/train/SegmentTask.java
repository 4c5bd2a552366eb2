package dev.kindling.spark.train;

import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.spark.exchange.Collective;
import dev.kindling.spark.exchange.Exchange;
import dev.kindling.spark.exchange.ExchangeSettings;
import dev.kindling.spark.exchange.Rendezvous;
import dev.kindling.spark.exchange.SharedMemory;
import dev.kindling.spark.exchange.Slices;
import dev.kindling.train.LossBound;
import dev.kindling.train.SliceUpdate;
import dev.kindling.train.UpdateStep;
import java.io.Serializable;
import java.util.SplittableRandom;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

/**
 * One task of a collective segment: the shard's part of every round, exchanged with the other
 * tasks directly. Each round, every task computes on its part of the global batch; a
 * reduce-scatter leaves task r with the sum of slice r of the exchanged vector; task r finishes
 * slice r (sync: the mean gradient's optimizer step, with the optimizer state of slice r alone;
 * local: the mean of parameters and optimizer state) and an all-gather gives everyone the whole.
 *
 * <p>The exchanged vector is the parameters' part ({@code P}), then the network state's
 * ({@code S}), then in local mode the optimizer state ({@code O}). Sums run in shard order from
 * zero and the updates are element-wise, so the result is the driver path's, float for float.
 *
 * <p>Divergence is judged on every task alike: the loss and each shard's finiteness travel with
 * the reduce-scatter, a slice's own overflow with the all-gather's flag, so all tasks stop at the
 * same round, and nothing of that round is kept.
 */
final class SegmentTask extends AbstractFunction1<Iterator<Dataset>, Iterator<SegmentResult>> implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The all-gather's flag: some task found the round diverged. */
    private static final int DIVERGED = 1;

    private final SegmentPlan plan;

    SegmentTask(SegmentPlan plan) {
        this.plan = plan;
    }

    @Override
    public Iterator<SegmentResult> apply(Iterator<Dataset> shard) {
        return scala.collection.Iterator$.MODULE$.single(run(BarrierTaskContext.get(), shard.next()));
    }

    private SegmentResult run(BarrierTaskContext context, Dataset shard) {
        long taskStart = System.nanoTime();
        int rank = context.partitionId();
        int size = context.getTaskInfos().length;
        ParameterBlock block = plan.start().value();
        Worker w = Worker.get(plan.spec(), plan.backend());
        w.load(block);
        Network net = w.net;
        float[] params = net.parameters();
        float[] state = net.state();
        int p = params.length;
        int s = state.length;
        float[] optimizerState = plan.local() ? w.optimizerState(block.optimizerState) : null;
        int length = p + s + (plan.local() ? optimizerState.length : 0);
        int lo = Slices.start(rank, size, length);
        int hi = Slices.end(rank, size, length);
        float[] vector = w.exchangeBuffer(length);
        float[] slice = new float[hi - lo];
        // sync: the parameters in this task's slice, stepped with their own optimizer state
        int paramsEnd = Math.min(hi, p);
        SliceUpdate update = !plan.local() && lo < p ? plan.steps().sliceUpdate(p, net.weightRanges(), lo, paramsEnd,
                block.optimizerState, plan.firstStep()) : null;
        float[] paramSlice = update == null ? null : new float[paramsEnd - lo];
        float[] gradSlice = update == null ? null : new float[paramsEnd - lo];

        int rounds = plan.roundCount();
        SegmentResult result = new SegmentResult();
        result.rank = rank;
        result.kernels = w.kernels;
        result.loss = new double[rounds];
        result.correct = new long[rounds];
        result.examples = new long[rounds];
        result.computeNanos = new long[rounds];
        result.roundNanos = new long[rounds];
        LossBound bound = new LossBound(plan.boundFirst());
        String stage = context.stageId() + "." + context.stageAttemptNumber();
        long step = plan.firstStep();
        long meet = System.nanoTime();
        try (Exchange collective = join(context, rank, size, stage)) {
            result.connectNanos = System.nanoTime() - meet;
            for (int i = 0; i < rounds; i++) {
                long r = plan.firstRound() + i;
                long t0 = System.nanoTime();
                SplittableRandom noise = RoundTasks.noise(plan.seed(), r, rank);
                Local mine = plan.local()
                        ? localSteps(w, shard, rank, plan.rounds()[i], optimizerState, step, noise, vector)
                        : gradient(w, shard, rank, plan.rounds()[i][0], noise, vector);
                long t1 = System.nanoTime();
                String problem = mine.problem == null ? null : "partition " + rank + " returned a non-finite " + mine.problem;
                double[] sums = collective.reduceScatter(r, vector, length, new double[] {mine.loss, mine.correct,
                        mine.examples, problem == null ? 0 : Math.scalb(1.0, Math.min(rank, 1000))}, slice);
                int flag = 0;
                if (sums[3] != 0) {
                    flag = DIVERGED;
                } else {
                    problem = bound.check(sums[0] / Math.max(1, sums[2]));
                    if (problem == null) {
                        problem = plan.local() ? average(slice, size, lo, p, s) : step(slice, sums[2], lo, p, update,
                                params, paramSlice, gradSlice);
                    }
                    if (problem != null) {
                        flag = DIVERGED;
                    } else {
                        System.arraycopy(slice, 0, vector, lo, slice.length);
                    }
                }
                flag = collective.allGather(r, vector, length, flag);
                long t2 = System.nanoTime();
                result.loss[i] = sums[0];
                result.correct[i] = (long) sums[1];
                result.examples[i] = (long) sums[2];
                result.computeNanos[i] = t1 - t0;
                result.roundNanos[i] = t2 - t0;
                if (flag != 0) {
                    result.problem = problem;
                    break;
                }
                System.arraycopy(vector, 0, params, 0, p);
                System.arraycopy(vector, p, state, 0, s);
                if (plan.local()) {
                    System.arraycopy(vector, p + s, optimizerState, 0, optimizerState.length);
                    step += plan.rounds()[i].length;
                } else {
                    step++;
                }
                result.completed = i + 1;
            }
            result.bytesSent = collective.bytesSent();
            result.bytesReceived = collective.bytesReceived();
        }
        result.boundFirst = bound.first();
        result.values = java.util.Arrays.copyOfRange(vector, lo, hi);
        if (update != null) {
            result.optimizerSlice = update.state().clone();
        }
        result.taskNanos = System.nanoTime() - taskStart;
        return result;
    }

    /**
     * This task's end of the exchange: through this JVM's memory where every task runs in it
     * ({@code local[N]}: real zero-copy), else over the network, meeting the others through the
     * driver's {@link Rendezvous}.
     */
    private Exchange join(BarrierTaskContext context, int rank, int size, String stage) {
        ExchangeSettings settings = ExchangeSettings.fromSparkEnv();
        if (plan.rendezvous() == null) {
            return SharedMemory.join(context.stageId() + "." + context.stageAttemptNumber(), rank, size,
                    settings.timeoutMs(), context::isInterrupted);
        }
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        Collective collective = Collective.open(settings, rank, size, host, stage);
        try {
            collective.connect(Rendezvous.meet(settings, plan.rendezvous(), stage, rank, size, collective.address()));
            return collective;
        } catch (RuntimeException e) {
            collective.close();
            throw e;
        }
    }

    /** A task's own part of a round: sums over its examples, and what was not finite in them, if anything. */
    private record Local(double loss, long correct, long examples, String problem) {
    }

    /**
     * Sync: the gradient of the summed loss over the shard's part of the batch into
     * {@code vector[0, P)}, and the network state after it times the example count into
     * {@code [P, P+S)}; zeros where the shard has no part of it.
     */
    private static Local gradient(Worker w, Dataset shard, int rank, BatchSlice batch, SplittableRandom noise, float[] vector) {
        Network net = w.net;
        int p = net.parameters().length;
        int s = net.state().length;
        int[] local = batch.local(rank, shard.size());
        if (local.length == 0) {
            java.util.Arrays.fill(vector, 0, p + s, 0f);
            return new Local(0, 0, 0, null);
        }
        int b = w.fill(shard, local, batch.augmentation(rank));
        double loss = net.gradient(w.x(), w.target(), b, 1f, noise);
        long correct = net.correct(w.labels(), b);
        System.arraycopy(net.gradients(), 0, vector, 0, p);
        float[] state = net.state();
        for (int i = 0; i < s; i++) {
            vector[p + i] = state[i] * b;
        }
        String problem = !Double.isFinite(loss) ? "loss " + loss : nonFinite("gradient", vector, 0, p, 0);
        if (problem == null) {
            problem = nonFinite("network state", vector, p, p + s, 0);
        }
        return new Local(loss, correct, b, problem);
    }

    /**
     * Local: the shard's optimizer steps, one per local batch, on its own copy of the parameters
     * and optimizer state; then parameters, network state and optimizer state into {@code vector}.
     */
    private Local localSteps(Worker w, Dataset shard, int rank, BatchSlice[] batches, float[] optimizerState, long firstStep,
                             SplittableRandom noise, float[] vector) {
        Network net = w.net;
        int[] weightRanges = net.weightRanges();
        double loss = 0;
        long correct = 0;
        long examples = 0;
        for (int j = 0; j < batches.length; j++) {
            int[] local = batches[j].local(rank, shard.size());
            if (local.length == 0) {
                continue;
            }
            int b = w.fill(shard, local, batches[j].augmentation(rank));
            loss += net.gradient(w.x(), w.target(), b, 1f / b, noise);
            correct += net.correct(w.labels(), b);
            examples += b;
            UpdateStep u = plan.steps().updateStep(weightRanges, optimizerState, firstStep + j);
            u.apply(net.parameters(), net.gradients());
        }
        int p = net.parameters().length;
        int s = net.state().length;
        System.arraycopy(net.parameters(), 0, vector, 0, p);
        System.arraycopy(net.state(), 0, vector, p, s);
        System.arraycopy(optimizerState, 0, vector, p + s, optimizerState.length);
        String problem = !Double.isFinite(loss) ? "loss " + loss : nonFinite("parameters", vector, 0, p, 0);
        if (problem == null) {
            problem = nonFinite("network state", vector, p, p + s, 0);
        }
        if (problem == null) {
            problem = nonFinite("optimizer state", vector, p + s, p + s + optimizerState.length, 0);
        }
        return new Local(loss, correct, examples, problem);
    }

    /**
     * Sync, on this task's slice {@code [lo, lo + slice.length)} of the summed vector: the mean
     * over the {@code examples}; the parameters' part takes the optimizer step from the mean
     * gradient, the state's part is the new state. Null, or what was not finite.
     */
    private static String step(float[] slice, double examples, int lo, int p, SliceUpdate update, float[] params,
                               float[] paramSlice, float[] gradSlice) {
        float scale = 1f / (float) examples;
        for (int i = 0; i < slice.length; i++) {
            slice[i] *= scale;
        }
        int inParams = Math.max(0, Math.min(slice.length, p - lo));
        String problem = nonFinite("merged gradient", slice, 0, inParams, lo);
        if (problem == null) {
            problem = nonFinite("merged network state", slice, inParams, slice.length, Math.max(0, lo - p));
        }
        if (problem != null) {
            return "the shards' " + problem;
        }
        if (update != null) {
            System.arraycopy(params, lo, paramSlice, 0, inParams);
            System.arraycopy(slice, 0, gradSlice, 0, inParams);
            update.apply(paramSlice, gradSlice);
            System.arraycopy(paramSlice, 0, slice, 0, inParams);
        }
        return null;
    }

    /** Local, on this task's slice: the mean over the {@code shards}. Null, or what was not finite. */
    private static String average(float[] slice, int shards, int lo, int p, int s) {
        float scale = 1f / shards;
        for (int i = 0; i < slice.length; i++) {
            slice[i] *= scale;
        }
        for (int i = 0; i < slice.length; i++) {
            if (!Float.isFinite(slice[i])) {
                int at = lo + i;
                return "the shards' " + (at < p ? nonFinite("merged parameters", slice, i, i + 1, at)
                        : at < p + s ? nonFinite("merged network state", slice, i, i + 1, at - p)
                        : nonFinite("merged optimizer state", slice, i, i + 1, at - p - s));
            }
        }
        return null;
    }

    /**
     * Where {@code v[from, to)} first is not finite, as {@link PartialSum#firstNonFinite} says it,
     * with {@code v[from]} being element {@code first} of {@code name}; else null.
     */
    static String nonFinite(String name, float[] v, int from, int to, int first) {
        for (int i = from; i < to; i++) {
            if (!Float.isFinite(v[i])) {
                return name + " (element " + (i - from + first) + " is " + v[i] + ")";
            }
        }
        return null;
    }
}
