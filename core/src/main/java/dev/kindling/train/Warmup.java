package dev.kindling.train;

import dev.kindling.backend.Backends;
import dev.kindling.data.Dataset;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.nn.Normalization;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Trains a throwaway copy of the network on random examples, on a thread of its own, so that
 * the JIT has compiled the training step before the real training starts. Meant to run while
 * the data is read.
 *
 * <p>Without it the first epoch of the MLP ran at about a sixth of the later ones' speed, and
 * almost all of that was its first 50 steps: the Vector API kernels (Adam, pixel scaling), run
 * by the interpreter before C2 compiles them, allocate an object per vector operation and took
 * over a millisecond per call, 50 times their compiled time. The copy runs the very code the
 * trainer runs (same layer, backend, optimizer and trainer classes, same batch size), so the
 * type profiles C2 compiles against are the real ones; its data is random, its learning rate
 * tiny, and it shares nothing with the real run, so it cannot change a result.
 */
public final class Warmup {
    /**
     * A method with loops that is called once a step is compiled by C2 after 600 calls (HotSpot's
     * Tier4MinInvocationThreshold); with fewer steps the first epoch still ran such methods,
     * the batch fill among them, as C1 compiled them.
     */
    static final int STEPS = 1000;
    /** Trainings the steps are split over, each of a new network (see {@link #run}). */
    private static final int FITS = 4;
    /** Batches per synthetic epoch: each epoch's end also compiles the evaluation pass. */
    private static final int BATCHES_PER_EPOCH = 20;
    /** A slow network (a big CNN) stops warming after this, whatever its step count. */
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(4);

    private final Thread thread;
    private volatile long steps;

    private Warmup(Runnable body) {
        thread = new Thread(body, "kindling-warmup");
        thread.setDaemon(true);
    }

    /**
     * Starts warming up for training {@code spec} with {@code optimizer} and {@code config} on a
     * new instance of backend {@code backendName} ("blas", "java", "loop"; "cuda" is not warmed
     * up). Never throws: where anything fails (the
     * backend does not load, the spec needs real data), the warm-up ends and training starts
     * cold, as it would without it.
     */
    public static Warmup start(NetworkSpec spec, String backendName, OptimizerConfig optimizer, TrainConfig config) {
        if (backendName.equals("cuda")) {
            // a second CUDA context for a throwaway copy would cost more than it saves
            Warmup none = new Warmup(() -> { });
            none.thread.start();
            return none;
        }
        Warmup[] self = new Warmup[1];
        self[0] = new Warmup(() -> self[0].run(spec, backendName, optimizer, config));
        self[0].thread.start();
        return self[0];
    }

    /** Waits until the warm-up has ended. */
    public void await() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Training steps the warm-up took. */
    public long steps() {
        return steps;
    }

    private void run(NetworkSpec spec, String backendName, OptimizerConfig optimizer, TrainConfig config) {
        long deadline = System.nanoTime() + BUDGET_NANOS;
        try {
            int batch = Math.max(1, config.batchSize());
            NetworkSpec plain = withoutAuto(spec);
            Dataset data = randomExamples(spec, Network.build(plain, Backends.create(backendName)).outputCount(),
                    batch * BATCHES_PER_EPOCH, config.seed());
            NetworkSpec trained = plain == spec ? spec : spec.withNormalize(Normalization.of(data, spec.input()));
            TrainConfig short_ = config
                    .withEpochs((int) Math.ceil((double) STEPS / FITS / BATCHES_PER_EPOCH))
                    .withMaxSteps(STEPS / FITS)
                    .withPatience(0)
                    .withLearningRate(1e-9)
                    .withTrainEvalSamples(batch)
                    .withShards(Math.min(config.shards(), BATCHES_PER_EPOCH));
            // Several runs, each with a new network, backend and trainer, as the real run will be:
            // C2 drops the branches a profile never saw taken, and the real run's first batch takes
            // those of a new instance (its buffers allocated); unseen, they cost a recompilation
            // in the first epoch.
            for (int fit = 0; fit < FITS; fit++) {
                Network net = Network.build(trained, Backends.create(backendName));
                net.initialize(config.seed() + fit);
                Trainer trainer = new Trainer(net, Optimizers.create(optimizer, net.weightRanges()), short_);
                long before = steps;
                trainer.fit(data, data.subset(0, batch), new TrainListener() {
                    @Override
                    public void onStep(long step, double batchLoss) {
                        steps = before + step;
                        if (System.nanoTime() > deadline) {
                            throw new Stop();
                        }
                    }
                });
            }
        } catch (RuntimeException | LinkageError e) {
            // a warm-up that cannot run leaves training cold, nothing worse
        }
    }

    // A spec whose normalisation is computed from the data cannot be built before there is data.
    private static NetworkSpec withoutAuto(NetworkSpec spec) {
        return spec.normalize() != null && spec.normalize().auto() ? spec.withNormalize(null) : spec;
    }

    private static Dataset randomExamples(NetworkSpec spec, int classes, int n, long seed) {
        int features = spec.input().size();
        byte[] pixels = new byte[n * features];
        byte[] labels = new byte[n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) random.nextInt(classes);
        }
        return new Dataset("random examples for the warm-up", spec.input().channels(), spec.input().height(),
                spec.input().width(), classes, pixels, labels);
    }

    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }
}
