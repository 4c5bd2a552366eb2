package dev.kindling.bench.onemachine;

import dev.kindling.backend.Backend;
import dev.kindling.backend.Backends;
import dev.kindling.backend.BlasBackend;
import dev.kindling.data.Dataset;
import dev.kindling.data.IdxDirectory;
import dev.kindling.nn.Network;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerConfig;
import dev.kindling.optim.Optimizers;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.TrainConfig;
import dev.kindling.train.TrainListener;
import dev.kindling.train.Trainer;
import dev.kindling.train.Warmup;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Trains one {@link Workload} with Kindling's own {@link Trainer} on full Fashion-MNIST and
 * logs, per epoch, what the trainer reports: examples per second over the epoch's training
 * loop (the trainer times it without the evaluation that follows) and the test accuracy.
 *
 * <p>It also counts the bytes the training thread allocates between the first and the last
 * batch of each epoch ({@code getCurrentThreadAllocatedBytes}, read in the step callback,
 * which itself allocates nothing), to show whether the hot loop allocates per batch, and the
 * process CPU time over the same span, to show it runs on one thread.
 *
 * <p>Training starts when {@code Trainer.fit} is called (after the data is loaded and the network
 * built); each epoch's line records that moment ({@code training_start_epoch_ms}, and in seconds
 * after the JVM started) and the wall time from it to the end of the epoch's evaluation
 * ({@code since_training_start_seconds}), from which the report gives the time to an accuracy.
 *
 * <p>{@code java ... KindlingRun --model mlp --backend blas --epochs 3 --out FILE}
 */
public final class KindlingRun {

    private KindlingRun() {
    }

    public static void main(String[] argv) {
        RunArgs args = RunArgs.parse(argv);
        TrainConfig config = TrainConfig.defaults()
                .withBatchSize(Workload.BATCH)
                .withEpochs(args.epochs())
                .withSeed(args.seed())
                .withLearningRate(Workload.LEARNING_RATE);
        // as `train` does: the JIT compiles the step on random examples while the data is read
        Warmup warmup = args.warmup()
                ? Warmup.start(args.model().kindlingSpec(), args.backend(), OptimizerConfig.of(Workload.OPTIMIZER), config)
                : null;
        IdxDirectory dir = IdxDirectory.open(args.data());
        Dataset train = dir.loadTrain();
        Dataset test = dir.loadTest();

        Backend backend = Backends.create(args.backend());
        if (!backend.name().equals(args.backend())) {
            throw new IllegalStateException("asked for backend " + args.backend() + " but got " + backend.name());
        }
        Network net = Network.build(args.model().kindlingSpec(), backend);
        net.initialize(args.seed());
        Optimizer optimizer = Optimizers.create(Workload.OPTIMIZER, net.weightRanges());
        Trainer trainer = new Trainer(net, optimizer, config);

        String variant = backend.name() + (backend.name().equals("blas")
                ? " " + System.getenv().getOrDefault("OPENBLAS_CORETYPE", "auto") : "");
        ResultLog log = new ResultLog(args.out(), "kindling", variant, args);
        log.put("backend", backend.name());
        log.put("parameters", net.parameters().length);
        if (backend.name().equals("blas")) {
            log.put("openblas", BlasBackend.library());
        }
        int stepsPerEpoch = (train.size() + Workload.BATCH - 1) / Workload.BATCH;
        AllocationCounter counter = new AllocationCounter(stepsPerEpoch);

        if (warmup != null) {
            warmup.await();
            log.put("warmup_steps", warmup.steps());
        }

        long trainingStart = System.nanoTime();
        log.put("training_start_epoch_ms", System.currentTimeMillis());
        log.put("training_start_after_jvm_start_seconds",
                ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
        trainer.fit(train, test, new TrainListener() {
            @Override
            public void onStep(long step, double batchLoss) {
                counter.onStep(step);
            }

            @Override
            public void onEpoch(EpochMetrics m) {
                double sinceStart = (System.nanoTime() - trainingStart) / 1e9;
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("epoch", m.epoch());
                f.put("examples_per_second", m.examplesPerSecond());
                f.put("epoch_seconds", train.size() / m.examplesPerSecond());
                f.put("since_training_start_seconds", sinceStart);
                f.put("training_seconds", m.elapsedSeconds());
                f.put("test_accuracy", m.testAccuracy());
                f.put("test_loss", m.testLoss());
                f.put("train_loss", m.trainLoss());
                f.put("alloc_bytes_per_batch", counter.bytesPerBatch());
                f.put("cpu_per_wall", counter.cpuPerWall());
                log.epoch(f);
                System.out.printf(Locale.ROOT, "kindling %s %s epoch %d: %.0f examples/s, test accuracy %.4f,"
                                + " %.1f bytes allocated per batch, cpu/wall %.2f%n",
                        args.model().id(), variant, m.epoch(), m.examplesPerSecond(), m.testAccuracy(),
                        counter.bytesPerBatch(), counter.cpuPerWall());
            }
        });
    }

    /**
     * Allocation and CPU time between the first and the last step of the current epoch.
     * {@link #onStep} runs on the training thread once per batch and allocates nothing.
     */
    static final class AllocationCounter {
        private final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final long stepsPerEpoch;
        private long firstBytes;
        private long lastBytes;
        private long firstCpu;
        private long lastCpu;
        private long firstWall;
        private long lastWall;
        private long steps;

        AllocationCounter(long stepsPerEpoch) {
            this.stepsPerEpoch = stepsPerEpoch;
            threads.setThreadAllocatedMemoryEnabled(true);
        }

        void onStep(long step) {
            long inEpoch = (step - 1) % stepsPerEpoch;
            if (inEpoch == 0) {
                firstCpu = ResultLog.processCpuNanos();
                firstWall = System.nanoTime();
                firstBytes = threads.getCurrentThreadAllocatedBytes();
                steps = 0;
            } else {
                lastBytes = threads.getCurrentThreadAllocatedBytes();
                steps = inEpoch;
                if (inEpoch == stepsPerEpoch - 1) {
                    lastCpu = ResultLog.processCpuNanos();
                    lastWall = System.nanoTime();
                }
            }
        }

        /** Bytes per batch over batches 2..last of the epoch; NaN before two steps. */
        double bytesPerBatch() {
            return steps == 0 ? Double.NaN : (double) (lastBytes - firstBytes) / steps;
        }

        double cpuPerWall() {
            return lastWall == firstWall ? Double.NaN : (double) (lastCpu - firstCpu) / (lastWall - firstWall);
        }
    }
}
