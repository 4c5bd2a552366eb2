package dev.kindling.spark.exchange;

import dev.kindling.KindlingException;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The exchange of tasks that all run in one JVM ({@code local[N]}), through its memory: no
 * sockets, no copies into messages. A reduce-scatter reads slice r of every task's vector in
 * place and adds it in rank order; an all-gather copies each task's slice from its vector
 * straight into the others'. Three barriers a round keep the vectors still while others read
 * them: after the vectors are published, after the slices are written, after they are copied.
 * A task that stops (its close before the segment's end) breaks the group, so the others fail
 * at once instead of waiting out the timeout.
 */
public final class SharedMemory implements Exchange {
    private static final ConcurrentHashMap<String, Group> GROUPS = new ConcurrentHashMap<>();
    /** Spins before a waiting task parks: a round's barrier is usually met within microseconds. */
    private static final int SPINS = 1 << 14;

    private final Group group;
    private final int rank;
    private final int size;
    private final String stage;
    private final long timeoutNanos;
    private long bytesSent;
    private long bytesReceived;
    private boolean closed;

    private final java.util.function.BooleanSupplier cancelled;

    private SharedMemory(Group group, int rank, String stage, long timeoutMs, java.util.function.BooleanSupplier cancelled) {
        this.cancelled = cancelled;
        this.group = group;
        this.rank = rank;
        this.size = group.size;
        this.stage = stage;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    /**
     * Task {@code rank}'s end of the group of {@code size} tasks of {@code stage} (one stage
     * attempt) in this JVM; a wait ends early where {@code cancelled} says so (Spark killed the task).
     */
    public static SharedMemory join(String stage, int rank, int size, long timeoutMs,
                                    java.util.function.BooleanSupplier cancelled) {
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("collective: rank " + rank + " of " + size + " tasks");
        }
        Group g = GROUPS.computeIfAbsent(stage, k -> new Group(size));
        if (g.size != size) {
            throw new IllegalStateException("collective: stage " + stage + " has " + g.size + " tasks, not " + size);
        }
        return new SharedMemory(g, rank, stage, timeoutMs, cancelled);
    }

    @Override
    public double[] reduceScatter(long round, float[] vector, int length, double[] extras, float[] slice) {
        double[] own = extras == null ? new double[0] : extras;
        group.vectors[rank] = vector;
        group.lengths[rank] = length;
        group.extras[rank] = own;
        await(round, "reduce-scatter");
        for (int t = 0; t < size; t++) {
            if (group.lengths[t] != length || group.extras[t].length != own.length) {
                throw new KindlingException("collective: task " + t + " passed a vector of " + group.lengths[t]
                        + " floats and " + group.extras[t].length + " extras, task " + rank + " " + length + " and "
                        + own.length);
            }
        }
        int start = Slices.start(rank, size, length);
        int n = Slices.end(rank, size, length) - start;
        // element by element this is ((0f + v0) + v1) + ..., as over the network
        java.util.Arrays.fill(slice, 0, n, 0f);
        for (int t = 0; t < size; t++) {
            float[] v = group.vectors[t];
            for (int i = 0; i < n; i++) {
                slice[i] += v[start + i];
            }
        }
        double[] sums = new double[own.length];
        for (int t = 0; t < size; t++) {
            for (int e = 0; e < sums.length; e++) {
                sums[e] += group.extras[t][e];
            }
        }
        bytesReceived += 4L * n * (size - 1);
        bytesSent += 4L * (length - n);
        return sums;
    }

    @Override
    public int allGather(long round, float[] vector, int length, int flag) {
        group.vectors[rank] = vector;
        group.flags[rank] = flag;
        await(round, "all-gather");
        int flags = 0;
        for (int t = 0; t < size; t++) {
            flags |= group.flags[t];
            if (t != rank) {
                int start = Slices.start(t, size, length);
                int n = Slices.end(t, size, length) - start;
                System.arraycopy(group.vectors[t], start, vector, start, n);
                bytesReceived += 4L * n;
            } else {
                bytesSent += 4L * (Slices.end(t, size, length) - Slices.start(t, size, length)) * (size - 1);
            }
        }
        // no task changes its vector (its next round's gradient) before every copy from it is done
        await(round, "all-gather");
        return flags;
    }

    /** Waits for every task of the group, failing where one stopped or the timeout passes. */
    private void await(long round, String phase) {
        Group g = group;
        long generation = g.generation;
        g.reached[rank] = round;
        if (g.arrived.incrementAndGet() == size) {
            g.arrived.set(0);
            g.generation = generation + 1;
            return;
        }
        long start = System.nanoTime();
        int spins = 0;
        while (g.generation == generation) {
            String broken = g.broken;
            // a task that closes after the last barrier broke nothing: the generation moved on first
            if (broken != null && g.generation == generation) {
                throw new KindlingException(broken);
            }
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
                if (cancelled.getAsBoolean()) {
                    throw new KindlingException("collective: task " + rank + " was cancelled in round " + round);
                }
                if (System.nanoTime() - start > timeoutNanos) {
                    StringBuilder late = new StringBuilder();
                    for (int t = 0; t < size; t++) {
                        if (g.reached[t] < round) {
                            late.append(late.length() == 0 ? "" : ", ").append(t);
                        }
                    }
                    String message = String.format(Locale.ROOT, "collective: task %s (in this JVM) did not reach round "
                            + "%d (%s) within %d s; see spark.kindling.exchange.timeout", late.length() == 0 ? "?" : late,
                            round, phase, TimeUnit.NANOSECONDS.toSeconds(timeoutNanos));
                    g.broken = message;
                    throw new KindlingException(message);
                }
            }
        }
    }

    @Override
    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public long bytesReceived() {
        return bytesReceived;
    }

    /**
     * Leaves the group. Any task still waiting fails at once: at a segment's end no task waits
     * (the last all-gather's barrier let them all go), so one that does lost a peer that stopped.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (group.broken == null) {
            group.broken = "collective: task " + rank + " stopped (see its own failure)";
        }
        // only once every task has been and gone: one that stopped before the others came must
        // leave the broken group behind for them to find
        if (group.left.incrementAndGet() == size) {
            GROUPS.remove(stage, group);
        }
    }

    /** The tasks of one stage attempt in this JVM. */
    private static final class Group {
        final int size;
        final float[][] vectors;
        final int[] lengths;
        final double[][] extras;
        final int[] flags;
        /** The round each task last waited at (its own writes), for a timeout's message. */
        final long[] reached;
        final AtomicInteger arrived = new AtomicInteger();
        final AtomicInteger left = new AtomicInteger();
        volatile long generation;
        volatile String broken;

        Group(int size) {
            this.size = size;
            this.vectors = new float[size][];
            this.lengths = new int[size];
            this.extras = new double[size][];
            this.flags = new int[size];
            this.reached = new long[size];
            java.util.Arrays.fill(reached, -1);
        }
    }
}
