package dev.kindling.spark.train;

import dev.kindling.KindlingException;
import dev.kindling.config.DataParallel;
import dev.kindling.UsageException;
import dev.kindling.config.TrainSettings;
import dev.kindling.nn.Network;
import dev.kindling.optim.LearningRateSchedule;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.optim.WeightDecay;
import dev.kindling.spark.runtime.ExecutorKernels;
import dev.kindling.train.EpochLoop;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.EpochOrder;
import dev.kindling.train.Evaluation;
import dev.kindling.train.History;
import dev.kindling.train.LossBound;
import dev.kindling.train.ShardedOrder;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.UpdateStep;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Data-parallel training on Spark, round by round, with one of two exchanges.
 * <ul>
 *   <li>Collective (where the cluster has a task slot per shard): rounds run in segments, each
 *       one barrier stage ({@link CollectiveSegments}, {@link SegmentTask}) whose tasks
 *       reduce-scatter and all-gather among themselves, each updating its slice of the
 *       parameters with that slice's optimizer state; the driver holds the state between
 *       segments, reports, evaluates and checkpoints.</li>
 *   <li>Driver: each round the driver broadcasts the parameters, every shard's task works on its
 *       part of the round's examples, the partial sums are added up in shard order from an empty
 *       zero (merged in place, through a tree with many shards: {@link ShardAggregation}), and
 *       the driver updates.</li>
 * </ul>
 * Both give the same floats: sums in shard order from zero, element-wise updates.
 * <ul>
 *   <li>{@code sync}: one round is one global mini-batch, exactly as {@link dev.kindling.train.Trainer}
 *       takes it ({@link EpochOrder}, the same batch boundaries); tasks return summed
 *       gradients, the driver divides by the count and applies the same {@link UpdateStep}.
 *       Without dropout or BatchNorm the parameters equal the single-machine trainer's up to
 *       float summation order.</li>
 *   <li>{@code local}: one round is up to {@code localSteps} global mini-batches; each shard
 *       takes one optimizer step per batch on its own part of it, with its own copy of the
 *       optimizer state, and the driver averages parameters, network state and optimizer
 *       state over the shards.</li>
 * </ul>
 * Network state (BatchNorm running statistics) comes back too: in sync mode as the
 * count-weighted mean of the shards' updated state. Evaluation runs on Spark over the cached
 * test shards and a fixed sample of the training shards.
 */
public final class SparkTrainer {
    /** Shards per tree level when aggregating. */
    static final int TREE_DEPTH = 2;

    /** Progress callbacks; every method defaults to doing nothing. */
    public interface Listener {
        default void onStart(long round, long totalRounds) {
        }

        default void onRound(RoundMetrics metrics) {
        }

        default void onEpoch(EpochMetrics metrics) {
        }

        default void onCheckpoint(Checkpoint checkpoint) {
        }

        /** The run diverged and goes back to {@code to} with the learning rate {@code learningRate}. */
        default void onRetry(String cause, Checkpoint to, double learningRate) {
        }

        /** A collective segment ended (after its rounds' {@link #onRound}). */
        default void onSegment(SegmentMetrics metrics) {
        }

        /** A line for the user: the exchange changed to the driver's, or a failed segment runs again. */
        default void onNote(String line) {
        }
    }

    /** Rounds in the first segment, before the run has measured how long one takes. */
    static final int FIRST_SEGMENT_ROUNDS = 50;

    /** Divergence factor: each retry halves the learning rate. */
    static final double RETRY_LEARNING_RATE_FACTOR = 0.5;

    private final JavaSparkContext sc;
    private final Network net;
    private final OptimizerConfig optimizerConfig;
    private TrainConfig config;
    private final DataParallel parallel;
    private final String backend;
    private final Shards train;
    private final Shards test;
    private final CheckpointStore checkpoints;
    private final String specJson;

    private final int examples;
    private final int batch;
    /** Each shard samples its part of every batch from its own permutation. */
    private final ShardedOrder sampler;
    private final long stepsPerEpoch;
    private final long totalSteps;
    private LearningRateSchedule schedule;
    private final WeightDecay decay;
    private final Optimizer optimizer;
    private float[] optimizerState;
    private UpdateStep update;
    private long round;
    /** Where a finite loss counts as divergence, from the first loss this trainer saw. */
    private LossBound bound = new LossBound();
    /** Whether rounds run as collective segments ({@link SegmentTask}), else one Spark job each through the driver. */
    private boolean collective;
    /** Why the exchange is the driver's where collective was not asked for by name, or null. */
    private String exchangeNote;
    private CollectiveSegments segments;
    /** Rounds the next collective segment runs at most: sized from the last one's time to {@link #segmentSeconds}. */
    private long segmentRounds = FIRST_SEGMENT_ROUNDS;
    /** How long a collective segment should take ({@link CollectiveSegments#SEGMENT_SECONDS}). */
    private double segmentSeconds;
    /** The executors' OpenBLAS kernels as the last round or segment reported them ({@link ExecutorKernels}), or null. */
    private String kernels;
    /** Whether the console has been told the executors' kernels, which it is once per run. */
    private boolean kernelsTold;
    /** The state a diverged run goes back to: the last checkpoint, or the start. */
    private Checkpoint lastGood;

    /**
     * @param net         the driver's network, initialized or loaded: its parameters and state
     *                    are trained in place
     * @param test        the evaluation shards, or null
     * @param checkpoints where checkpoints go, or null for none
     */
    public SparkTrainer(JavaSparkContext sc, Network net, TrainSettings settings, Shards train, Shards test,
                        CheckpointStore checkpoints) {
        this.sc = sc;
        this.net = net;
        this.optimizerConfig = settings.optimizer();
        this.config = settings.train();
        this.parallel = settings.parallel();
        this.backend = settings.backend();
        this.train = train;
        this.test = test;
        this.checkpoints = checkpoints;
        this.specJson = Worker.json(net.spec());
        this.examples = train.examples();
        if (examples == 0) {
            throw new KindlingException("training data: no examples");
        }
        this.batch = UpdateStep.batchSize(config, examples);
        this.stepsPerEpoch = UpdateStep.stepsPerEpoch(config, examples);
        this.sampler = new ShardedOrder(train.sizes(), batch);
        this.totalSteps = UpdateStep.totalSteps(config, examples);
        this.schedule = UpdateStep.schedule(config, examples);
        this.decay = new WeightDecay((float) config.weightDecay(), net.weightRanges());
        this.optimizer = Optimizers.create(optimizerConfig, net.weightRanges());
        this.optimizerState = new float[this.optimizer.stateSize(net.parameters().length)];
        this.update = new UpdateStep(this.optimizer, schedule, decay, optimizerState, 0);
        chooseExchange();
    }

    /**
     * Collective where the cluster can run it; the driver's exchange where asked, or, with a note,
     * where the cluster cannot (asked for collective by name, that is a usage error).
     */
    private void chooseExchange() {
        if (DataParallel.DRIVER.equals(parallel.exchange())) {
            return;
        }
        String why = CollectiveSegments.whyNot(sc, train.count());
        if (why == null) {
            collective = true;
            segments = new CollectiveSegments(sc, train);
            segmentSeconds = CollectiveSegments.segmentSeconds(sc);
        } else if (DataParallel.COLLECTIVE.equals(parallel.exchange())) {
            throw new UsageException("--exchange collective: " + why + "; or give --exchange driver");
        } else {
            exchangeNote = "exchange: driver, since " + why;
        }
    }

    /** The exchange the rounds use: {@code collective} or {@code driver}. */
    public String exchange() {
        return collective ? DataParallel.COLLECTIVE : DataParallel.DRIVER;
    }

    /** Why the exchange fell back to the driver's, for the user, or null. */
    public String exchangeNote() {
        return exchangeNote;
    }

    public long round() {
        return round;
    }

    public long step() {
        return update.step();
    }

    public float[] optimizerState() {
        return optimizerState;
    }

    /** Rounds in a whole run (fewer if it stops early). */
    long totalRounds() {
        long perEpoch = parallel.local() ? (stepsPerEpoch + parallel.localSteps() - 1) / parallel.localSteps() : stepsPerEpoch;
        long byEpochs = perEpoch * config.epochs();
        if (config.maxSteps() > 0) {
            long fullEpochs = config.maxSteps() / stepsPerEpoch;
            long rest = config.maxSteps() % stepsPerEpoch;
            long restRounds = parallel.local() ? (rest + parallel.localSteps() - 1) / parallel.localSteps() : rest;
            return Math.min(byEpochs, fullEpochs * perEpoch + restRounds);
        }
        return byEpochs;
    }

    /** Trains from the start. */
    public History fit(Listener listener) {
        return runWithRetries(null, listener == null ? new Listener() { } : listener);
    }

    /** Continues from {@code from}, which must come from a run with the same settings and data. */
    public History resume(Checkpoint from, Listener listener) {
        check(from);
        System.arraycopy(from.parameters(), 0, net.parameters(), 0, from.parameters().length);
        System.arraycopy(from.state(), 0, net.state(), 0, from.state().length);
        optimizerState = from.optimizerState().clone();
        update = new UpdateStep(optimizer, schedule, decay, optimizerState, from.step());
        round = from.round();
        return runWithRetries(from, listener == null ? new Listener() { } : listener);
    }

    /**
     * Runs from {@code from} (null: the start); where the loss diverges and retries are left,
     * goes back to the last good state with a smaller learning rate and runs again.
     */
    private History runWithRetries(Checkpoint from, Listener listener) {
        lastGood = from != null ? from : snapshot(1, 0, false, 0, Double.NaN, 0);
        int retries = parallel.divergenceRetries();
        while (true) {
            try {
                return run(from, listener);
            } catch (Diverged e) {
                if (retries-- <= 0) {
                    throw new KindlingException(e.getMessage() + (lastGood.round() > 0
                            ? "; the last good checkpoint (round " + lastGood.round() + ") is kept: rerun with "
                            + "--resume and a lower --lr, or give --divergence-retries N" : "; lower the "
                            + "learning rate or give --divergence-retries N"));
                }
                config = config.withLearningRate(config.learningRate() * RETRY_LEARNING_RATE_FACTOR);
                schedule = UpdateStep.schedule(config, examples);
                from = lastGood;
                System.arraycopy(from.parameters(), 0, net.parameters(), 0, from.parameters().length);
                System.arraycopy(from.state(), 0, net.state(), 0, from.state().length);
                optimizerState = from.optimizerState().clone();
                update = new UpdateStep(optimizer, schedule, decay, optimizerState, from.step());
                round = from.round();
                listener.onRetry(e.getMessage(), from, config.learningRate());
            }
        }
    }

    /** The run's state now, as a checkpoint. */
    private Checkpoint snapshot(int epoch, long position, boolean epochEnd, double elapsed, double bestLoss,
            int bestEpoch) {
        return new Checkpoint(net.spec(), round, update.step(), epoch, position, epochEnd, elapsed, bestLoss,
                bestEpoch, config.seed(), parallel.mode(), parallel.localSteps(), examples, batch,
                net.parameters().clone(), net.state().clone(), optimizerState.clone());
    }

    /** A round whose loss is beyond its bound ({@link LossBound}) or whose results are not finite; nothing of it was applied. */
    private static final class Diverged extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Diverged(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Refuses a checkpoint taken with other settings or data: a usage error, and one the caller
     * can ask before it writes anything, so that a refused resume leaves the run as it was.
     */
    void check(Checkpoint c) {
        mustMatch("network", Worker.json(c.spec()), specJson);
        mustMatch("seed", c.seed(), config.seed());
        mustMatch("mode", c.mode(), parallel.mode());
        mustMatch("examples", c.examples(), examples);
        mustMatch("batch", c.batch(), batch);
        if (parallel.local()) {
            mustMatch("local-steps", c.localSteps(), parallel.localSteps());
        }
        mustMatch("optimizer state size", c.optimizerState().length, optimizerState.length);
    }

    private static void mustMatch(String field, Object inCheckpoint, Object now) {
        if (!inCheckpoint.equals(now)) {
            throw new UsageException("resume: the checkpoint was taken with " + field + " " + inCheckpoint
                    + ", this run has " + now + "; resume with the settings of the interrupted run");
        }
    }

    private History run(Checkpoint from, Listener listener) {
        EpochLoop.Start start = EpochLoop.Start.FRESH;
        if (from != null) {
            start = new EpochLoop.Start(from.epochComplete() ? from.epoch() + 1 : from.epoch(),
                    from.epochComplete() ? 0 : from.position(), from.elapsedSeconds(),
                    Double.isNaN(from.bestLoss()) ? Double.POSITIVE_INFINITY : from.bestLoss(), from.bestEpoch());
        }
        int[] sample = EpochOrder.sample(examples, config.trainEvalSamples(), config.seed());
        EpochLoop loop = new EpochLoop(config, examples, update::step);
        listener.onStart(round, totalRounds());
        return loop.run(start, new EpochLoop.CheckpointedRounds() {
            private ShardedOrder.Dealer dealer;
            private int dealerEpoch;

            @Override
            public EpochLoop.Round run(int epoch, long position) {
                int steps = parallel.local()
                        ? (int) Math.min(parallel.localSteps(), Math.min(stepsPerEpoch - position, loop.remainingSteps()))
                        : 1;
                // a new epoch, a resumed run or a retry: deal the epoch again up to this batch
                if (dealer == null || dealerEpoch != epoch || dealer.batchIndex() != position) {
                    dealer = sampler.dealer();
                    dealer.skip(position);
                    dealerEpoch = epoch;
                }
                if (collective) {
                    try {
                        return segment(epoch, position);
                    } catch (CollectiveSegments.Unsupported e) {
                        collective = false;
                        dealer = null;
                        listener.onNote("exchange: driver from round " + (round + 1) + ", since " + e.getMessage());
                        return run(epoch, position);
                    }
                }
                BatchSlice[] parts = new BatchSlice[steps];
                for (int j = 0; j < steps; j++) {
                    int[] offsets = dealer.offsets();
                    parts[j] = new BatchSlice(config.seed(), epoch, offsets, dealer.next(null));
                }
                RoundMetrics m = parallel.local() ? localRound(parts, epoch) : syncRound(parts[0], epoch);
                tellKernels(listener);
                listener.onRound(m);
                return new EpochLoop.Round(steps, m.examples());
            }

            /** A collective segment from {@code position}: to the epoch's end, the next checkpoint or the segment's size. */
            private EpochLoop.Round segment(int epoch, long position) {
                long most = segmentRounds;
                Integer every = parallel.checkpointEvery();
                if (every != null && every > 0) {
                    most = Math.min(most, every - round % every);
                }
                java.util.List<BatchSlice[]> rounds = new java.util.ArrayList<>();
                long at = position;
                long remaining = loop.remainingSteps();
                while (rounds.size() < most && at < stepsPerEpoch && remaining > 0) {
                    int steps = parallel.local() ? (int) Math.min(parallel.localSteps(), Math.min(stepsPerEpoch - at,
                            remaining)) : 1;
                    BatchSlice[] parts = new BatchSlice[steps];
                    for (int j = 0; j < steps; j++) {
                        int[] offsets = dealer.offsets();
                        parts[j] = new BatchSlice(config.seed(), epoch, offsets, dealer.next(null));
                    }
                    rounds.add(parts);
                    at += steps;
                    remaining -= steps;
                }
                long examplesSeen = runSegment(rounds.toArray(new BatchSlice[0][]), epoch, listener);
                return new EpochLoop.Round((int) (at - position), examplesSeen);
            }

            @Override
            public EpochMetrics evaluate(int epoch, double examplesPerSecond, double elapsedSeconds) {
                return evaluateEpoch(epoch, sample, examplesPerSecond, elapsedSeconds);
            }

            @Override
            public void afterRound(EpochLoop.Position at) {
                Integer every = parallel.checkpointEvery();
                boolean due = every == null ? at.epochEnd() : every > 0 && round % every == 0;
                if (checkpoints != null && due) {
                    Checkpoint c = snapshot(at.epoch(), at.position(), at.epochEnd(), at.elapsedSeconds(),
                            at.bestLoss(), at.bestEpoch());
                    checkpoints.save(c);
                    lastGood = c;
                    listener.onCheckpoint(c);
                }
            }
        }, listener::onEpoch);
    }

    /**
     * Runs the rounds {@code plan} as one collective segment from the driver's state, reports
     * each round, and takes the tasks' slices back into the driver's parameters, network state
     * and optimizer state. Returns the examples trained on.
     */
    private long runSegment(BatchSlice[][] plan, int epoch, Listener listener) {
        long first = round + 1;
        long firstStep = update.step();
        Broadcast<ParameterBlock> block = sc.broadcast(new ParameterBlock(net.parameters(), net.state(), optimizerState));
        CollectiveSegments.Outcome outcome;
        try {
            outcome = segments.run(new SegmentPlan(block, plan, first, firstStep, parallel.local(), specJson, backend,
                    new StepSettings(optimizerConfig, config, totalSteps), config.seed(), bound.first(),
                    CollectiveSegments.rendezvous(sc)),
                    listener::onNote);
        } finally {
            block.destroy();
        }
        SegmentResult[] results = outcome.results();
        SegmentResult lead = results[0];
        for (SegmentResult r : results) {
            kernels = ExecutorKernels.merge(kernels, r.kernels);
        }
        tellKernels(listener);
        int completed = lead.completed;
        long step = firstStep;
        long examplesSeen = 0;
        long slowestTask = 0;
        long connect = 0;
        long bytes = 0;
        for (SegmentResult r : results) {
            slowestTask = Math.max(slowestTask, r.taskNanos);
            connect = Math.max(connect, r.connectNanos);
            bytes += r.bytesSent;
        }
        for (int i = 0; i < completed; i++) {
            step += plan[i].length;
            long compute = 0;
            long whole = 0;
            for (SegmentResult r : results) {
                compute = Math.max(compute, r.computeNanos[i]);
                whole = Math.max(whole, r.roundNanos[i]);
            }
            long n = Math.max(1, lead.examples[i]);
            examplesSeen += lead.examples[i];
            listener.onRound(RoundMetrics.collective(first + i, epoch, step, lead.loss[i] / n,
                    (double) lead.correct[i] / n, lead.examples[i], compute / 1e6, whole / 1e6));
        }
        int ran = Math.max(1, completed + (completed < plan.length ? 1 : 0));
        listener.onSegment(new SegmentMetrics(first, completed, results.length, outcome.stageNanos() / 1e6,
                Math.max(0, outcome.stageNanos() - slowestTask) / 1e6, connect / 1e6,
                bytes / results.length / ran, outcome.attempts()));
        if (completed < plan.length) {
            String problem = null;
            for (SegmentResult r : results) {
                if (problem == null) {
                    problem = r.problem;
                }
            }
            throw diverged(problem == null ? "a task stopped the segment" : problem, first + completed, epoch);
        }
        takeSlices(results);
        bound = new LossBound(lead.boundFirst);
        round = first + completed - 1;
        update = new UpdateStep(optimizer, schedule, decay, optimizerState, step);
        segmentRounds = Math.max(1, (long) (segmentSeconds * 1e9 / Math.max(1, outcome.stageNanos() / plan.length)));
        return examplesSeen;
    }

    /** The executors' OpenBLAS kernels, as notes, after the first round or segment that computed on OpenBLAS. */
    private void tellKernels(Listener listener) {
        if (!kernelsTold && kernels != null) {
            kernelsTold = true;
            ExecutorKernels.summary(kernels).forEach(listener::onNote);
        }
    }

    /** The tasks' slices of the exchanged vector (and in sync mode of the optimizer state) into the driver's arrays. */
    private void takeSlices(SegmentResult[] results) {
        float[] params = net.parameters();
        float[] state = net.state();
        int p = params.length;
        int s = state.length;
        int length = p + s + (parallel.local() ? optimizerState.length : 0);
        float[] whole = new float[length];
        for (SegmentResult r : results) {
            int lo = dev.kindling.spark.exchange.Slices.start(r.rank, results.length, length);
            System.arraycopy(r.values, 0, whole, lo, r.values.length);
            if (r.optimizerSlice != null && lo < p) {
                int n = Math.min(lo + r.values.length, p) - lo;
                for (int b = 0; n > 0 && b < r.optimizerSlice.length / n; b++) {
                    System.arraycopy(r.optimizerSlice, b * n, optimizerState, b * p + lo, n);
                }
            }
        }
        System.arraycopy(whole, 0, params, 0, p);
        System.arraycopy(whole, p, state, 0, s);
        if (parallel.local()) {
            System.arraycopy(whole, p + s, optimizerState, 0, optimizerState.length);
        }
    }

    private RoundMetrics syncRound(BatchSlice batch, int epoch) {
        long t0 = System.nanoTime();
        Broadcast<ParameterBlock> block = sc.broadcast(new ParameterBlock(net.parameters(), net.state(), null));
        long t1 = System.nanoTime();
        long r = round + 1;
        PartialSum sum = ShardAggregation.run(sc, train, new RoundTasks.SyncTask(batch, block, specJson, backend,
                config.seed(), r), PartialSum::empty, PartialSum::merge, PartialSum.class);
        long t2 = System.nanoTime();
        block.destroy();
        kernels = sum.kernels;
        if (sum.examples == 0) {
            throw new IllegalStateException("round " + r + " computed on no examples");
        }
        if (sum.nonFinite != null) {
            throw diverged(sum.nonFinite, r, epoch);
        }
        String problem = bound.check(sum.loss / sum.examples);
        if (problem != null) {
            throw diverged(problem, r, epoch);
        }
        // the means, in the merged arrays (the driver's own copies): the network is not touched
        // until the whole round is known to be finite
        float scale = 1f / sum.examples;
        float[] g = scale(sum.vector, scale);
        float[] state = scale(sum.state, scale);
        checkMerged("gradient", g, r, epoch);
        checkMerged("network state", state, r, epoch);
        System.arraycopy(state, 0, net.state(), 0, net.state().length);
        update.apply(net.parameters(), g);
        round = r;
        long t3 = System.nanoTime();
        return metrics(epoch, sum, t0, t1, t2, t3);
    }

    private RoundMetrics localRound(BatchSlice[] parts, int epoch) {
        int steps = parts.length;
        long t0 = System.nanoTime();
        Broadcast<ParameterBlock> block = sc.broadcast(new ParameterBlock(net.parameters(), net.state(), optimizerState));
        long t1 = System.nanoTime();
        long r = round + 1;
        long firstStep = update.step();
        StepSettings local = new StepSettings(optimizerConfig, config, totalSteps);
        PartialSum sum = ShardAggregation.run(sc, train, new RoundTasks.LocalTask(parts, block, specJson, backend,
                local, firstStep, config.seed(), r), PartialSum::empty, PartialSum::merge, PartialSum.class);
        long t2 = System.nanoTime();
        block.destroy();
        kernels = sum.kernels;
        if (sum.nonFinite != null) {
            throw diverged(sum.nonFinite, r, epoch);
        }
        String problem = bound.check(sum.loss / Math.max(1, sum.examples));
        if (problem != null) {
            throw diverged(problem, r, epoch);
        }
        // the averages, in the merged arrays: nothing of the driver's changes until all are finite
        float scale = 1f / sum.shards;
        float[] parameters = scale(sum.vector, scale);
        float[] state = scale(sum.state, scale);
        float[] optimizerStates = scale(sum.optimizerState, scale);
        checkMerged("parameters", parameters, r, epoch);
        checkMerged("network state", state, r, epoch);
        checkMerged("optimizer state", optimizerStates, r, epoch);
        System.arraycopy(parameters, 0, net.parameters(), 0, net.parameters().length);
        System.arraycopy(state, 0, net.state(), 0, net.state().length);
        System.arraycopy(optimizerStates, 0, optimizerState, 0, optimizerState.length);
        update = new UpdateStep(optimizer, schedule, decay, optimizerState, firstStep + steps);
        round = r;
        long t3 = System.nanoTime();
        return metrics(epoch, sum, t0, t1, t2, t3);
    }

    /** {@code merged} (a merged partial's own array; none: empty) times {@code scale}, in place. */
    private static float[] scale(float[] merged, float scale) {
        if (merged == null) {
            return new float[0];
        }
        for (int i = 0; i < merged.length; i++) {
            merged[i] *= scale;
        }
        return merged;
    }

    /**
     * Refuses the round where the shards' merged {@code name} is not finite although each
     * shard's was (its float sum overflowed).
     */
    private void checkMerged(String name, float[] merged, long r, int epoch) {
        String problem = PartialSum.firstNonFinite("merged " + name, merged);
        if (problem != null) {
            throw diverged("the shards' " + problem, r, epoch);
        }
    }

    private Diverged diverged(String problem, long r, int epoch) {
        return new Diverged("training diverged: " + problem + " in round " + r + " (epoch " + epoch
                + ", lr " + config.learningRate() + "); the update was not applied");
    }

    private RoundMetrics metrics(int epoch, PartialSum sum, long t0, long t1, long t2, long t3) {
        double computeMs = sum.computeNanos / 1e6;
        double jobMs = (t2 - t1) / 1e6;
        long n = Math.max(1, sum.examples);
        return new RoundMetrics(round, epoch, update.step(), sum.loss / n, (double) sum.correct / n, sum.examples,
                (t1 - t0) / 1e6, computeMs, Math.max(0, jobMs - computeMs), (t3 - t2) / 1e6, (t3 - t0) / 1e6);
    }

    private EpochMetrics evaluateEpoch(int epoch, int[] sample, double examplesPerSecond, double elapsedSeconds) {
        Broadcast<ParameterBlock> block = sc.broadcast(new ParameterBlock(net.parameters(), net.state(), null));
        try {
            Evaluation onTrain = evaluate(train, sample, block);
            Evaluation onTest = test == null ? new Evaluation(Double.NaN, Double.NaN, 0) : evaluate(test, null, block);
            return new EpochMetrics(epoch, update.step(), onTrain.loss() + decay.penalty(net.parameters()),
                    onTrain.accuracy(), onTest.loss(), onTest.accuracy(), examplesPerSecond, elapsedSeconds,
                    update.rate());
        } finally {
            block.destroy();
        }
    }

    /** Loss and accuracy of the current model over {@code shards} (only the examples {@code subset}, when given). */
    public Evaluation evaluate(Shards shards, int[] subset) {
        Broadcast<ParameterBlock> block = sc.broadcast(new ParameterBlock(net.parameters(), net.state(), null));
        try {
            return evaluate(shards, subset, block);
        } finally {
            block.destroy();
        }
    }

    private Evaluation evaluate(Shards shards, int[] subset, Broadcast<ParameterBlock> block) {
        int[][] perShard = subset == null ? null : shards.split(subset, 0, subset.length);
        EvaluationSum sum = ShardAggregation.run(sc, shards, new RoundTasks.EvaluationTask(perShard, block, specJson,
                backend), EvaluationSum::new, EvaluationSum::merge, EvaluationSum.class);
        return sum.evaluation();
    }
}
