package dev.kindling.spark.exchange;

import dev.kindling.KindlingException;
import io.netty.channel.ChannelFutureListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.network.TransportContext;
import org.apache.spark.network.buffer.NioManagedBuffer;
import org.apache.spark.network.client.TransportClient;
import org.apache.spark.network.client.TransportClientBootstrap;
import org.apache.spark.network.client.TransportClientFactory;
import org.apache.spark.network.crypto.AuthClientBootstrap;
import org.apache.spark.network.crypto.AuthServerBootstrap;
import org.apache.spark.network.protocol.OneWayMessage;
import org.apache.spark.network.server.TransportServer;
import org.apache.spark.network.server.TransportServerBootstrap;
import org.apache.spark.network.util.TransportConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's end of a collective among the {@code size} tasks of a barrier stage, over Spark's
 * transport. Direct algorithm: in a reduce-scatter task r sends slice s of its vector to task s,
 * in an all-gather its own slice to every other task, so each task sends 2(N-1)/N of the vector
 * per round, as a ring does, in one step instead of N-1. Vectors go in chunks of at most
 * chunkBytes, one-way; the receiver adds a chunk as soon as the same chunk of every lower rank is
 * in, so adding overlaps receiving.
 *
 * <p>Not thread-safe: one task thread uses it. Netty's threads only copy received floats into the
 * {@link Inbox} and return written buffers to the {@link SendBuffers}.
 */
public final class Collective implements Exchange {
    private static final Logger LOG = LoggerFactory.getLogger(Collective.class);
    private static final double[] NO_EXTRAS = new double[0];
    private static final int REDUCE = Message.REDUCE;
    private static final int GATHER = Message.GATHER;
    /**
     * A peer whose server closed may still have data on its way in on its own connection to us:
     * how long that data gets before the closing counts. (A close seen on that connection itself
     * comes after its data and counts at once.)
     */
    private static final long LOST_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Bytes of messages a task may have queued in Netty, not yet written. */
    private static final long IN_FLIGHT_BYTES = 32L << 20;
    /** How long close() lets the last messages reach the socket. */
    private static final long CLOSE_FLUSH_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ExchangeSettings settings;
    private final int rank;
    private final int size;
    private final String host;
    private final long stage;
    private final TransportContext context;
    private final TransportServer server;
    private final TransportClientFactory factory;
    private final Inbox inbox;
    private final SendBuffers buffers;
    private final int chunkFloats;
    private final long timeoutNanos;
    private final TransportClient[] clients;
    private String[] addresses;
    private final long[] lastRound = {Long.MIN_VALUE, Long.MIN_VALUE};
    private boolean broken;
    private volatile boolean closed;
    private long bytesSent;
    private long waitNanos;

    // per phase, reused: floats in from each rank (-1: nothing yet), where, the length it sent,
    // how many this task still needs and how far it has used them
    private final int[] have;
    private final float[][] from;
    private final int[] lengths;
    private final int[] need;
    private final int[] used;

    private Collective(ExchangeSettings settings, int rank, int size, String host, String stage) {
        this.settings = settings;
        this.rank = rank;
        this.size = size;
        this.host = host;
        this.stage = Message.stageId(stage);
        this.chunkFloats = settings.chunkBytes() / 4;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs());
        this.inbox = new Inbox(rank, size, this.stage);
        int capacity = Message.bytes(4, chunkFloats);
        this.buffers = new SendBuffers(capacity, (int) Math.max(4, IN_FLIGHT_BYTES / capacity));
        this.clients = new TransportClient[size];
        this.have = new int[size];
        this.from = new float[size][];
        this.lengths = new int[size];
        this.need = new int[size];
        this.used = new int[size];
        TransportConf conf = settings.transportConf();
        this.context = new TransportContext(conf, inbox, false);
        List<TransportServerBootstrap> serverBootstraps = List.of();
        List<TransportClientBootstrap> clientBootstraps = List.of();
        if (settings.authenticated()) {
            // as Spark's block transfer service: these run AES (spark.network.crypto.enabled) or
            // fall back to SASL themselves
            serverBootstraps = List.of(new AuthServerBootstrap(conf, settings.secrets()));
            clientBootstraps = List.of(new AuthClientBootstrap(conf, settings.appId(), settings.secrets()));
        }
        TransportServer started;
        try {
            started = context.createServer(host, 0, serverBootstraps);
        } catch (RuntimeException e) {
            context.close();
            throw new KindlingException("collective: task " + rank + " could not listen on " + host + ": " + e.getMessage(), e);
        }
        this.server = started;
        this.factory = context.createClientFactory(clientBootstraps);
    }

    /**
     * Starts this task's server on {@code host} (any free port). {@code stage} identifies the stage
     * attempt: messages of another stage are dropped.
     */
    public static Collective open(ExchangeSettings settings, int rank, int size, String host, String stage) {
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("collective: rank " + rank + " of " + size + " tasks");
        }
        Collective c = new Collective(settings, rank, size, host, stage);
        LOG.info("collective: task {} of {} listens on {} ({})", rank, size, c.address(),
                settings.encrypted() ? "authenticated, encrypted" : settings.authenticated() ? "authenticated" : "open");
        return c;
    }

    /** "host:port" to pass to the others (through BarrierTaskContext.allGather). */
    public String address() {
        return host + ":" + server.getPort();
    }

    /**
     * Connects to every other task; {@code addresses[i]} is task i's address. Fails with a
     * KindlingException naming the task and address it could not reach or authenticate with.
     */
    public void connect(String[] addresses) {
        checkOpen();
        if (addresses.length != size) {
            throw new IllegalArgumentException("collective: " + addresses.length + " addresses for " + size + " tasks");
        }
        for (int j = 1; j < size; j++) {
            int k = (rank + j) % size;
            String address = addresses[k];
            int colon = address.lastIndexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("collective: task " + k + "'s address '" + address + "' is not host:port");
            }
            TransportClient client;
            try {
                client = factory.createClient(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            } catch (IOException e) {
                throw new KindlingException("collective: task " + rank + " could not reach task " + k + " at " + address
                        + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KindlingException("collective: interrupted while connecting to task " + k + " at " + address, e);
            } catch (RuntimeException e) {
                // the bootstraps fail with runtime exceptions; without them this is some other failure
                if (settings.authenticated()) {
                    throw new KindlingException("collective: authentication with task " + k + " at " + address
                            + " failed (spark.authenticate is on: every task must hold the application's secret)", e);
                }
                throw new KindlingException("collective: connecting to task " + k + " at " + address + " failed: " + e, e);
            }
            clients[k] = client;
            client.getChannel().closeFuture().addListener(f -> {
                if (!closed) {
                    inbox.lose(k, "closed its connection", false);
                }
            });
        }
        // only now: a collective whose connect() failed cannot be used
        this.addresses = addresses.clone();
    }

    /**
     * Reduce-scatter of round {@code round}: every task passes its {@code vector} (first
     * {@code length} floats used) and small {@code extras}. On return {@code slice[0, end - start)}
     * holds, for this task's slice [start, end) ({@link Slices}), the sum over tasks 0, 1, ...,
     * size - 1 in rank order, from 0f, of their vector[start, end): bit for bit what
     * {@code float acc = 0f; for t: acc += v_t[i]} gives. Returns the extras summed over the tasks
     * in rank order from 0.0, the same on every task. {@code vector} is not changed.
     */
    @Override
    public double[] reduceScatter(long round, float[] vector, int length, double[] extras, float[] slice) {
        begin(REDUCE, round, vector, length);
        double[] own = extras == null ? NO_EXTRAS : extras;
        int start = Slices.start(rank, size, length);
        int n = Slices.end(rank, size, length) - start;
        if (slice.length < n) {
            throw new IllegalArgumentException("collective: slice holds " + slice.length + " floats, this task's slice is " + n);
        }
        sendReduce(round, vector, length, own);
        for (int t = 0; t < size; t++) {
            need[t] = t == rank ? 0 : n;
            used[t] = 0;
        }
        while (true) {
            long seen = inbox.look(REDUCE, round, have, from, lengths);
            checkLengths(REDUCE, round, length);
            addInRankOrder(vector, start, n, slice);
            if (used[size - 1] == n && allIn()) {
                break;
            }
            awaitPeers(REDUCE, round, seen);
        }
        double[] sum = sumExtras(own);
        inbox.release(REDUCE, round);
        return sum;
    }

    /**
     * Adds what is in: rank t's floats [used[t], upTo) go in once rank t - 1 has been added that
     * far, so every element sees the ranks in order. Rank 0 starts from 0f, as the sum is defined.
     */
    private void addInRankOrder(float[] vector, int start, int n, float[] slice) {
        int bound = n;
        for (int t = 0; t < size; t++) {
            float[] src = t == rank ? vector : from[t];
            int at = t == rank ? start : 0;
            int upTo = Math.min(bound, t == rank ? n : Math.max(have[t], 0));
            int i = used[t];
            if (t == 0) {
                for (; i < upTo; i++) {
                    slice[i] = 0f + src[at + i];
                }
            } else {
                for (; i < upTo; i++) {
                    slice[i] += src[at + i];
                }
            }
            used[t] = Math.max(used[t], upTo);
            bound = used[t];
        }
    }

    private double[] sumExtras(double[] own) {
        double[] sum = new double[own.length];
        for (int t = 0; t < size; t++) {
            double[] e = t == rank ? own : inbox.extras(REDUCE, t);
            if (e.length != own.length) {
                broken = true;
                throw new KindlingException("collective: task " + t + " at " + addresses[t] + " sent " + e.length
                        + " extras, this task " + own.length + "; every task must pass as many");
            }
            for (int j = 0; j < sum.length; j++) {
                sum[j] += e[j];
            }
        }
        return sum;
    }

    /**
     * All-gather of round {@code round}: this task has written its own slice [start, end) of
     * {@code vector}; on return vector[0, length) holds every task's slice. Returns the bitwise OR
     * of every task's {@code flag} (used to stop all tasks at the same round).
     */
    @Override
    public int allGather(long round, float[] vector, int length, int flag) {
        begin(GATHER, round, vector, length);
        int start = Slices.start(rank, size, length);
        int n = Slices.end(rank, size, length) - start;
        sendGather(round, vector, length, start, n, flag);
        for (int t = 0; t < size; t++) {
            need[t] = t == rank ? 0 : Slices.end(t, size, length) - Slices.start(t, size, length);
            used[t] = 0;
        }
        while (true) {
            long seen = inbox.look(GATHER, round, have, from, lengths);
            checkLengths(GATHER, round, length);
            for (int k = 0; k < size; k++) {
                int upTo = Math.max(have[k], 0);
                if (k != rank && upTo > used[k]) {
                    System.arraycopy(from[k], used[k], vector, Slices.start(k, size, length) + used[k], upTo - used[k]);
                    used[k] = upTo;
                }
            }
            if (allIn()) {
                break;
            }
            awaitPeers(GATHER, round, seen);
        }
        int or = flag;
        for (int k = 0; k < size; k++) {
            if (k != rank) {
                or |= inbox.flag(GATHER, k);
            }
        }
        inbox.release(GATHER, round);
        return or;
    }

    /** Whether every peer's message(s) for the phase are in (an empty slice still sends one). */
    private boolean allIn() {
        for (int k = 0; k < size; k++) {
            if (k != rank && have[k] < need[k]) {
                return false;
            }
        }
        return true;
    }

    private void begin(int phase, long round, float[] vector, int length) {
        checkOpen();
        if (broken) {
            throw new IllegalStateException("collective: an earlier exchange of task " + rank + " failed; the stage must restart");
        }
        if (size > 1 && addresses == null) {
            throw new IllegalStateException("collective: connect() first");
        }
        if (round <= lastRound[phase]) {
            throw new IllegalArgumentException("collective: " + Message.phaseName(phase) + " round " + round
                    + " after round " + lastRound[phase] + "; rounds must increase");
        }
        if (length < 0 || length > vector.length) {
            throw new IllegalArgumentException("collective: length " + length + " of a vector of " + vector.length);
        }
        lastRound[phase] = round;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("collective: task " + rank + "'s collective is closed");
        }
    }

    private void checkLengths(int phase, long round, int length) {
        for (int k = 0; k < size; k++) {
            if (lengths[k] >= 0 && lengths[k] != length) {
                broken = true;
                throw new KindlingException("collective: task " + k + " at " + addresses[k] + " sent a vector of " + lengths[k]
                        + " floats for round " + round + " (" + Message.phaseName(phase) + "), this task has " + length
                        + "; every task must pass the same length");
            }
        }
    }

    /** Blocks until a peer's data moves on after the look {@code seen}; throws if one is lost or silent. */
    private void awaitPeers(int phase, long round, long seen) {
        long start = System.nanoTime();
        try {
            while (true) {
                long now = System.nanoTime();
                long wake = start + timeoutNanos;
                for (int k = 0; k < size; k++) {
                    String why = k != rank && have[k] < need[k] ? inbox.lost(k) : null;
                    if (why != null) {
                        long since = inbox.lostAt(k);
                        if (inbox.lostForSure(k) || now - since >= LOST_GRACE_NANOS) {
                            throw failed("task " + k + " at " + addresses[k] + " " + why + " during round " + round + " ("
                                    + Message.phaseName(phase) + ")" + progress(k));
                        }
                        wake = Math.min(wake, since + LOST_GRACE_NANOS);
                    }
                }
                if (inbox.awaitChange(seen, wake - now)) {
                    return;
                }
                if (System.nanoTime() - start >= timeoutNanos) {
                    int k = firstMissing();
                    throw failed("task " + k + " at " + addresses[k] + (have[k] < 0 ? " sent nothing" : " sent nothing more")
                            + " for round " + round + " (" + Message.phaseName(phase) + ") within " + settings.timeoutText()
                            + progress(k) + "; see " + ExchangeSettings.TIMEOUT);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("task " + rank + " was interrupted waiting for round " + round + " (" + Message.phaseName(phase) + ")");
        } finally {
            waitNanos += System.nanoTime() - start;
        }
    }

    private int firstMissing() {
        for (int j = 1; j < size; j++) {
            int k = (rank + j) % size;
            if (have[k] < need[k]) {
                return k;
            }
        }
        throw new IllegalStateException("collective: nothing missing");
    }

    private String progress(int k) {
        return have[k] <= 0 ? "" : " (" + have[k] + " of " + need[k] + " floats in)";
    }

    private KindlingException failed(String what) {
        broken = true;
        return new KindlingException("collective: " + what);
    }

    private int messages(int floats) {
        return floats == 0 ? 1 : (floats - 1) / chunkFloats + 1;
    }

    /** Slice s of the vector to task s, in chunks; chunk c goes to every task before chunk c + 1. */
    private void sendReduce(long round, float[] vector, int length, double[] extras) {
        int most = 0;
        for (int s = 0; s < size; s++) {
            if (s != rank) {
                most = Math.max(most, messages(Slices.end(s, size, length) - Slices.start(s, size, length)));
            }
        }
        for (int c = 0; c < most; c++) {
            for (int j = 1; j < size; j++) {
                int s = (rank + j) % size;
                int at = Slices.start(s, size, length);
                int total = Slices.end(s, size, length) - at;
                if (c >= messages(total)) {
                    continue;
                }
                int offset = c * chunkFloats;
                int count = Math.min(chunkFloats, total - offset);
                double[] ex = c == 0 ? extras : NO_EXTRAS;
                ByteBuffer b = take(Message.bytes(ex.length, count), REDUCE, round);
                Message.write(b, stage, round, REDUCE, rank, length, total, offset, 0, ex, vector, at + offset, count);
                send(b, s, -1);
            }
        }
    }

    /** This task's slice to every other task: each chunk written once, sent to all. */
    private void sendGather(long round, float[] vector, int length, int start, int n, int flag) {
        if (size == 1) {
            return;
        }
        for (int c = 0, m = messages(n); c < m; c++) {
            int offset = c * chunkFloats;
            int count = Math.min(chunkFloats, n - offset);
            ByteBuffer b = take(Message.bytes(0, count), GATHER, round);
            Message.write(b, stage, round, GATHER, rank, length, n, offset, flag, NO_EXTRAS, vector, start + offset, count);
            send(b, -1, size - 1);
        }
    }

    private ByteBuffer take(int bytes, int phase, long round) {
        long start = System.nanoTime();
        try {
            ByteBuffer b = buffers.take(bytes, timeoutNanos);
            if (b == null) {
                throw failed("task " + rank + "'s messages for round " + round + " (" + Message.phaseName(phase)
                        + ") were not written within " + settings.timeoutText() + "; a peer stopped reading; see "
                        + ExchangeSettings.TIMEOUT);
            }
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("task " + rank + " was interrupted sending round " + round);
        } finally {
            waitNanos += System.nanoTime() - start;
        }
    }

    /**
     * Writes {@code b} to task {@code to}, or to all other tasks when {@code to} is -1 ({@code peers}
     * of them); the buffer goes back to the pool when every write has finished.
     */
    private void send(ByteBuffer b, int to, int peers) {
        AtomicInteger pending = new AtomicInteger(to >= 0 ? 1 : peers);
        for (int j = 1; j < size; j++) {
            int k = (rank + j) % size;
            if (to >= 0 && k != to) {
                continue;
            }
            bytesSent += b.remaining();
            OneWayMessage message = new OneWayMessage(new NioManagedBuffer(b.duplicate()));
            clients[k].getChannel().writeAndFlush(message).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess() && !closed) {
                    inbox.lose(k, "could not be sent to (" + f.cause() + ")", false);
                }
                if (pending.decrementAndGet() == 0) {
                    buffers.give(b);
                }
            });
        }
    }

    /** Bytes this task sent so far (headers included). */
    @Override
    public long bytesSent() {
        return bytesSent;
    }

    /** Bytes this task received so far (headers included). */
    @Override
    public long bytesReceived() {
        return inbox.bytesReceived();
    }

    /** Nanoseconds this task spent waiting for peers (and for its own writes to drain). */
    public long waitNanos() {
        return waitNanos;
    }

    /** Closes the clients, the server and their event loops, after the last messages are written; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            if (!buffers.awaitAllBack(Math.min(timeoutNanos, CLOSE_FLUSH_NANOS))) {
                LOG.warn("collective: task {} closes with messages not yet written", rank);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        factory.close();
        server.close();
        context.close();
    }
}
