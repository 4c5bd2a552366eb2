package dev.kindling.spark.sweep;

import dev.kindling.Interrupt;
import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import dev.kindling.backend.Backends;
import dev.kindling.config.JobConfig;
import dev.kindling.config.TrainSettings;
import dev.kindling.data.Dataset;
import dev.kindling.io.Json;
import dev.kindling.nn.Network;
import dev.kindling.search.SweepSpec;
import dev.kindling.spark.data.DataOptions;
import dev.kindling.spark.data.DataSource;
import dev.kindling.spark.data.DataSources;
import dev.kindling.spark.data.Examples;
import dev.kindling.spark.runtime.SparkErrors;
import dev.kindling.spark.runtime.SparkSettings;
import dev.kindling.spark.runtime.SparkStart;
import dev.kindling.spark.train.Shards;
import dev.kindling.spark.train.SparkTrainer;
import dev.kindling.train.EpochMetrics;
import dev.kindling.train.History;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a sweep: reads the data once, holds out the validation examples, runs every rung's trials
 * (one rung without successive halving) and writes the results through {@link SweepOutput}.
 *
 * <p>Trials run as Spark tasks ({@link TrialTask}: small models, many at once, each on one core
 * from broadcast data) or as distributed trainings ({@link SparkTrainer} on cached shards; in
 * turn, or side by side in FAIR scheduler pools). Each trial's record is written by the driver
 * as soon as it finishes, so an interrupted sweep loses only the trials under way.
 */
public final class Sweep {
    static final String AUTO = "auto";
    static final String TASK = "task";
    static final String DISTRIBUTED = "distributed";
    /** Larger networks train data-parallel: one core would take too long, and every task would hold a copy. */
    static final int TASK_MODE_MAX_PARAMETERS = 1_000_000;
    /** The most pixel bytes task mode broadcasts (every executor and the driver hold a copy). */
    static final String TASK_MODE_MAX_BYTES = "spark.kindling.sweep.taskModeMaxBytes";

    /** {@link #TASK_MODE_MAX_BYTES}, by default a quarter of the driver's heap. */
    static long taskModeMaxBytes(SparkConf conf) {
        return conf.getSizeAsBytes(TASK_MODE_MAX_BYTES, Long.toString(Runtime.getRuntime().maxMemory() / 4));
    }

    private final SweepSpec spec;
    private final String data;
    private final String outLocation;
    private final SparkConf conf;
    private final String requestedMode;
    private final Integer parallel;
    private final Integer partitions;
    private final Integer limit;
    private final boolean overwrite;
    private final PrintWriter out;

    Sweep(SweepSpec spec, String data, String out, SparkConf conf, String mode, Integer parallel, Integer partitions,
          Integer limit, boolean overwrite, PrintWriter console) {
        this.spec = spec;
        this.data = data;
        this.outLocation = out;
        this.conf = conf;
        this.requestedMode = mode;
        this.parallel = parallel;
        this.partitions = partitions;
        this.limit = limit;
        this.overwrite = overwrite;
        this.out = console;
    }

    /** A trial as planned: its point and its full training config. */
    private record Planned(SweepSpec.Point point, JobConfig config, TrainSettings plan) {
    }

    int run() {
        List<Planned> planned = new ArrayList<>();
        long maxParameters = 0;
        for (SweepSpec.Point p : spec.points()) {
            JobConfig c;
            TrainSettings plan;
            try {
                c = spec.config(p);
                plan = TrainSettings.resolve(c);
                plan.spec().requireNormalizeResolved("a sweep");
            } catch (KindlingException e) {
                throw new UsageException(spec.source() + ": trial " + p.id() + " " + p.values() + ": " + e.getMessage());
            }
            planned.add(new Planned(p, c, plan));
            maxParameters = Math.max(maxParameters, Network.build(plan.spec(), Backends.create("java")).parameters().length);
        }
        String mode = requestedMode.equals(AUTO) ? (maxParameters <= TASK_MODE_MAX_PARAMETERS ? TASK : DISTRIBUTED)
                : requestedMode;
        List<Integer> rungs = spec.halving() == null ? List.of(0)
                : spec.halving().rungs(planned.get(0).plan().train().epochs());

        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("spec", spec.source());
        plan.put("method", spec.method());
        plan.put("seed", spec.seed());
        plan.put("validation_fraction", spec.validationFraction());
        plan.put("limit", limit);
        plan.put("rungs", spec.halving() == null ? null : rungs);
        List<Map<String, Object>> trials = new ArrayList<>();
        for (Planned p : planned) {
            trials.add(Map.of("id", p.point().id(), "config", Json.JSON.convertValue(p.config(), Map.class)));
        }
        plan.put("trials", trials);

        if (mode.equals(DISTRIBUTED) && parallel != null && parallel > 1) {
            conf.setIfMissing("spark.scheduler.mode", "FAIR");
        }
        Configuration hadoop = SparkSettings.hadoop(conf);
        SweepOutput output = SweepOutput.open(outLocation, hadoop, plan, overwrite);
        JobConfig base = planned.get(0).config();
        DataSource source = DataSources.open(data, new DataOptions(base.dataOptions()), hadoop);

        SparkSession spark = SparkStart.session(conf);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        long started = System.nanoTime();
        try {
            Network first = Network.build(planned.get(0).plan().spec(), Backends.create("java"));
            Examples all = source.train(spark).fitted(first.spec(), first.outputCount());
            if (limit != null) {
                all = all.limit(limit);
            }
            int validationSize = (int) Math.round(all.count() * spec.validationFraction());
            if (validationSize < 1 || validationSize >= all.count()) {
                throw new KindlingException(data + ": " + all.count() + " training examples are too few to hold out "
                        + "a validation fraction of " + spec.validationFraction());
            }
            long most = taskModeMaxBytes(sc.getConf());
            if (mode.equals(TASK) && all.bytes() > most) {
                String size = String.format("%,d examples of %,d bytes = %,d bytes", all.count(), all.features(),
                        all.bytes());
                String limitText = String.format("%,d bytes (%s, default a quarter of the driver's heap, which holds "
                        + "the broadcast copy)", most, TASK_MODE_MAX_BYTES);
                if (!requestedMode.equals(AUTO)) {
                    throw new UsageException(String.format("sweep: the training data, %s, is more than task mode "
                            + "holds, %s; pass --trial-mode distributed, which keeps the data on the executors", size,
                            limitText));
                }
                mode = DISTRIBUTED;
                out.printf("kindling: sweep: distributed mode: the training data, %s, is more than task mode holds, "
                        + "%s%n", size, limitText);
            }
            Examples[] parts = all.split(all.count() - validationSize, spec.seed());
            output.start();
            int slots = parallel != null ? parallel : mode.equals(TASK) ? sc.defaultParallelism() : 1;
            out.printf("kindling: sweep: %d trials (%s%s), %s mode, %d at once, on Spark %s (%s); %,d training and "
                            + "%,d validation examples (held out from the training data)%n", planned.size(),
                    spec.method(), spec.halving() == null ? "" : ", successive halving over " + rungs + " epochs",
                    mode, slots, sc.version(), sc.master(), parts[0].count(), parts[1].count());
            TrialRunner runner = mode.equals(TASK) ? new TaskRunner(sc, new Dataset[] {parts[0].collect(),
                    parts[1].collect()})
                    : new DistributedRunner(sc, parts, partitions != null ? partitions : sc.defaultParallelism());

            List<Planned> alive = planned;
            Map<Integer, TrialRecord> latest = new LinkedHashMap<>();
            long epochsTrained = 0;
            for (int r = 0; r < rungs.size(); r++) {
                int rung = r;
                List<TrialRecord> done = runRung(alive, rung, spec.halving() == null ? null : rungs.get(rung), runner,
                        output, slots);
                for (TrialRecord t : done) {
                    latest.put(t.trial(), t);
                    epochsTrained += t.epochs();
                }
                if (r + 1 < rungs.size()) {
                    List<TrialRecord> ranked = done.stream().sorted(RANKING).toList();
                    int keep = spec.halving().survivors(alive.size());
                    List<Integer> kept = ranked.subList(0, keep).stream().map(TrialRecord::trial).toList();
                    alive = alive.stream().filter(p -> kept.contains(p.point().number())).toList();
                    out.printf("kindling: sweep: rung %d (%d epoch%s) done; %d of %d trials go on to %d epochs%n",
                            rung + 1, rungs.get(rung), rungs.get(rung) == 1 ? "" : "s", keep, done.size(), rungs.get(rung + 1));
                }
            }
            runner.release();
            List<TrialRecord> ranked = latest.values().stream()
                    .sorted(Comparator.comparingInt(TrialRecord::rung).reversed().thenComparing(RANKING)).toList();
            List<JobConfig> configs = new ArrayList<>();
            for (TrialRecord t : ranked) {
                JobConfig c = planned.get(t.trial() - 1).config();
                configs.add(spec.halving() == null ? c
                        : SweepSpec.apply(c, Map.of("epochs", t.epochs()), "best config"));
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("metric", "validation_accuracy");
            summary.put("method", spec.method());
            summary.put("trial_mode", mode);
            summary.put("trials", planned.size());
            summary.put("rungs", spec.halving() == null ? null : rungs);
            summary.put("epochs_trained", epochsTrained);
            summary.put("training_examples", parts[0].count());
            summary.put("validation_examples", parts[1].count());
            summary.put("parameters", new ArrayList<>(spec.parameters().keySet()));
            output.results(ranked, configs, new ArrayList<>(spec.parameters().keySet()), summary);
            TrialRecord best = ranked.get(0);
            out.printf(Locale.ROOT, "kindling: sweep: done in %.1fs: best %s %s, validation accuracy %.4f; wrote %s, "
                            + "%s, %s, %s%n", (System.nanoTime() - started) / 1e9, best.id(), best.params(),
                    best.validationAccuracy(), output.path(SweepOutput.LEADERBOARD_CSV),
                    output.path(SweepOutput.LEADERBOARD_JSON), output.path(SweepOutput.BEST_CONFIG),
                    output.path(SweepOutput.CHART));
            return 0;
        } catch (Exception e) { // a Spark job fails with SparkException, which Scala does not declare
            if (Interrupt.happened()) {
                throw Interrupt.stopped(interrupted(output), e);
            }
            throw e;
        } finally {
            spark.stop();
        }
    }

    /** What an interrupted sweep keeps, and how to go on (docs/faults.md). */
    private static String interrupted(SweepOutput output) {
        long n = output.recorded();
        String kept = n < 0 ? "the finished trials are" : n + " finished trial" + (n == 1 ? " is" : "s are");
        return "sweep: interrupted; " + kept + " kept in " + output.path(SweepOutput.TRIALS)
                + ": the same command runs the rest";
    }

    /** Best first: higher validation accuracy, then lower validation loss, then the earlier trial; failed trials last. */
    static final Comparator<TrialRecord> RANKING = Comparator
            .comparing((TrialRecord t) -> t.error() != null)
            .thenComparing(Comparator.comparingDouble(TrialRecord::validationAccuracy).reversed())
            .thenComparingDouble(t -> Double.isNaN(t.validationLoss()) ? Double.MAX_VALUE : t.validationLoss())
            .thenComparingInt(TrialRecord::trial);

    /** Runs the rung's trials not yet recorded, {@code slots} at a time, recording each as it finishes. */
    private List<TrialRecord> runRung(List<Planned> trials, int rung, Integer epochs, TrialRunner runner,
                                      SweepOutput output, int slots) {
        List<TrialRecord> done = new ArrayList<>();
        List<Planned> pending = new ArrayList<>();
        for (Planned p : trials) {
            String id = id(p, epochs);
            output.finished(id).ifPresentOrElse(done::add, () -> pending.add(p));
        }
        if (!done.isEmpty()) {
            out.printf("kindling: sweep: %d of %d trials%s already done (%s); running %d%n", done.size(), trials.size(),
                    epochs == null ? "" : " of rung " + (rung + 1), output.path(SweepOutput.TRIALS), pending.size());
        }
        // one thread per slot, and one FAIR pool per thread, so that side-by-side trials share the cluster evenly
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(slots, Math.max(1, pending.size())), r -> {
            Thread t = new Thread(r, "kindling-trial-" + threads.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<TrialRecord>> futures = new ArrayList<>();
            for (Planned p : pending) {
                futures.add(pool.submit(() -> {
                    int n = epochs != null ? epochs : p.plan().train().epochs();
                    TrialRecord r = runner.run(p, id(p, epochs), rung, n, Thread.currentThread().getName());
                    Interrupt.check(); // a trial cut short by the interrupt may look failed: record none from now on
                    output.record(r);
                    synchronized (out) {
                        out.printf(Locale.ROOT, "kindling: sweep: trial %s %s, %d epoch%s: %s (%.1fs)%n", r.id(),
                                r.params(), r.epochs(), r.epochs() == 1 ? "" : "s", r.error() != null ? "failed: " + r.error()
                                        : String.format(Locale.ROOT, "validation accuracy %.4f, loss %.4f",
                                        r.validationAccuracy(), r.validationLoss()), r.seconds());
                    }
                    return r;
                }));
            }
            for (Future<TrialRecord> f : futures) {
                done.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KindlingException("sweep: interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KindlingException k) {
                throw k;
            }
            throw new KindlingException("sweep: a trial failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        done.sort(Comparator.comparingInt(TrialRecord::trial));
        return done;
    }

    private static String id(Planned p, Integer epochs) {
        return epochs == null ? p.point().id() : p.point().id() + "-e" + epochs;
    }

    /** How trials are trained: as tasks or as distributed trainings. */
    private interface TrialRunner {
        TrialRecord run(Planned p, String id, int rung, int epochs, String pool);

        void release();
    }

    /** Each trial one Spark task on the training and validation data, broadcast once. */
    private static final class TaskRunner implements TrialRunner {
        private final JavaSparkContext sc;
        private final Broadcast<Dataset[]> data;

        TaskRunner(JavaSparkContext sc, Dataset[] parts) {
            this.sc = sc;
            this.data = sc.broadcast(parts);
        }

        @Override
        public TrialRecord run(Planned p, String id, int rung, int epochs, String pool) {
            String input = TrialTask.input(p.config(), epochs, id, p.point().number(), rung, p.point().values());
            sc.setJobGroup("kindling-sweep", "trial " + id, false);
            try {
                String result = sc.parallelize(List.of(input), 1).map(new TrialTask(data)).collect().get(0);
                return Json.JSON.readValue(result, TrialRecord.class);
            } catch (java.io.IOException e) {
                throw new KindlingException("trial " + id + ": cannot read its result: " + e.getMessage(), e);
            } catch (KindlingException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new KindlingException("sweep: trial " + id + " failed: " + SparkErrors.firstLine(e), e);
            }
        }

        @Override
        public void release() {
            data.destroy();
        }
    }

    /** Each trial a data-parallel training on cached shards; side by side ones each in their own FAIR pool. */
    private static final class DistributedRunner implements TrialRunner {
        private final JavaSparkContext sc;
        private final Shards train;
        private final Shards validation;

        DistributedRunner(JavaSparkContext sc, Examples[] parts, int partitions) {
            this.sc = sc;
            this.train = Shards.of(sc, parts[0], partitions, "kindling-sweep-train");
            this.validation = Shards.of(sc, parts[1], partitions, "kindling-sweep-validation");
            parts[0].release();
        }

        @Override
        public TrialRecord run(Planned p, String id, int rung, int epochs, String pool) {
            sc.setLocalProperty("spark.scheduler.pool", pool);
            TrainSettings plan = p.plan();
            Network net = Network.build(plan.spec(), Backends.create(Backends.onDriver(plan.backend())));
            net.initialize(plan.train().seed());
            SparkTrainer trainer = new SparkTrainer(sc, net, plan.withTrain(plan.train().withEpochs(epochs)), train,
                    validation, null);
            long start = System.nanoTime();
            try {
                History h = trainer.fit(new SparkTrainer.Listener() {
                    @Override
                    public void onEpoch(EpochMetrics m) {
                    }
                });
                return TrialRecord.of(id, p.point().number(), rung, p.point().values(), DISTRIBUTED, h,
                        (System.nanoTime() - start) / 1e9);
            } catch (KindlingException e) {
                return TrialRecord.failed(id, p.point().number(), rung, p.point().values(), epochs, DISTRIBUTED,
                        e.getMessage(), (System.nanoTime() - start) / 1e9);
            }
        }

        @Override
        public void release() {
            train.release();
            validation.release();
        }
    }
}
