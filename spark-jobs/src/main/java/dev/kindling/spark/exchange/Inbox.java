package dev.kindling.spark.exchange;

import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.network.client.RpcResponseCallback;
import org.apache.spark.network.client.TransportClient;
import org.apache.spark.network.server.OneForOneStreamManager;
import org.apache.spark.network.server.RpcHandler;
import org.apache.spark.network.server.StreamManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the other tasks sent this task. Netty's server thread copies each message's floats out of
 * Netty's buffer into a receive buffer per (phase, sender), allocated once and reused across
 * rounds, and wakes the task thread, which adds or copies the floats as they come. One monitor
 * (this object) guards everything; the task holds it only to look, never while it computes.
 *
 * <p>A sender's messages come in order on its one connection, so a receive buffer fills from the
 * front: {@code received} floats are in. By the protocol a peer is at most one phase ahead, so a
 * buffer the task has released may already fill with the next round; a message of a still later
 * round is kept aside until then, and one of a round already finished is dropped.
 */
final class Inbox extends RpcHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
    private static final long NONE = Long.MIN_VALUE;

    /** One sender's data in one phase. */
    private static final class Slot {
        /** The round being received; NONE while the buffer is free. */
        long round = NONE;
        /** The last round the task consumed: messages up to it are stale. */
        long done = NONE;
        int received;
        int length;
        int flag;
        double[] extras = new double[0];
        float[] floats = new float[0];
        /** Messages of a later round than {@code round}, as copies, until the buffer is free. */
        final ArrayDeque<ByteBuffer> later = new ArrayDeque<>();
    }

    private final int rank;
    private final long stage;
    private final Slot[][] slots;
    /** Inbound connections whose sender is known (from its first message), for channelInactive. */
    private final Map<Channel, Integer> senders = new HashMap<>();
    /** Why a peer's data may no longer come (null while it can), and since when. */
    private final String[] lost;
    private final long[] lostAt;
    /** Lost on its inbound connection: every byte it sent before is already in. */
    private final boolean[] lostForSure;
    private final StreamManager streams = new OneForOneStreamManager();
    private long bytesReceived;
    /** Counts every change the task may be waiting for. */
    private long changes;

    Inbox(int rank, int size, long stage) {
        this.rank = rank;
        this.stage = stage;
        this.slots = new Slot[2][size];
        for (Slot[] phase : slots) {
            for (int k = 0; k < size; k++) {
                phase[k] = new Slot();
            }
        }
        this.lost = new String[size];
        this.lostAt = new long[size];
        this.lostForSure = new boolean[size];
    }

    @Override
    public void receive(TransportClient client, ByteBuffer message) {
        int bytes = message.remaining();
        synchronized (this) {
            bytesReceived += bytes;
            Integer sender = deliver(message, true);
            if (sender != null) {
                senders.put(client.getChannel(), sender);
            }
            changes++;
            notifyAll();
        }
    }

    /** Files one message; returns its sender, or null when it was not for this task. */
    private Integer deliver(ByteBuffer message, boolean fresh) {
        ByteBuffer b = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Message m;
        try {
            m = Message.read(b);
        } catch (IllegalArgumentException e) {
            LOG.warn("collective: task {} dropped a message: {}", rank, e.getMessage());
            return null;
        }
        if (m.stage != stage) {
            LOG.warn("collective: task {} dropped a message of another stage attempt (task {}, round {})", rank, m.sender, m.round);
            return null;
        }
        if (m.sender < 0 || m.sender >= lost.length || m.sender == rank) {
            LOG.warn("collective: task {} dropped a message from rank {} of a stage of {} tasks", rank, m.sender, lost.length);
            return null;
        }
        Slot slot = slots[m.phase][m.sender];
        if (m.round <= slot.done) {
            LOG.warn("collective: task {} dropped a {} message of task {} for round {}, which it has finished",
                    rank, Message.phaseName(m.phase), m.sender, m.round);
            return m.sender;
        }
        if (slot.round == NONE) {
            slot.round = m.round;
            slot.received = 0;
        }
        if (m.round != slot.round) {
            // a later round while this one is still being read: keep a copy for when it is asked for
            slot.later.add(fresh ? copy(message) : message);
            return m.sender;
        }
        if (m.offset != slot.received) {
            lose(m.sender, "sent floats " + m.offset + ".. of round " + m.round + " when " + slot.received + " were in", true);
            return m.sender;
        }
        if (m.offset == 0) {
            slot.length = m.length;
            slot.flag = m.flag;
            slot.extras = m.extras;
            if (slot.floats.length < m.total) {
                slot.floats = new float[m.total];
            }
        }
        m.copyFloats(b, slot.floats, m.offset);
        slot.received += m.count;
        return m.sender;
    }

    private static ByteBuffer copy(ByteBuffer message) {
        ByteBuffer c = ByteBuffer.allocate(message.remaining());
        c.put(message.duplicate()).flip();
        return c;
    }

    /**
     * The task's look at (phase, round): {@code have[k]} the floats in from sender k (-1: no
     * message yet), {@code from[k]} the array they are in, {@code lengths[k]} the vector length
     * k sent. Returns the change count, for {@link #awaitChange}.
     */
    synchronized long look(int phase, long round, int[] have, float[][] from, int[] lengths) {
        Slot[] phaseSlots = slots[phase];
        for (int k = 0; k < phaseSlots.length; k++) {
            Slot s = phaseSlots[k];
            boolean in = k != rank && s.round == round;
            have[k] = in ? s.received : -1;
            from[k] = s.floats;
            lengths[k] = in ? s.length : -1;
        }
        return changes;
    }

    /** Waits up to {@code nanos} for a change after {@code seen}; whether there was one. */
    synchronized boolean awaitChange(long seen, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (changes == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000), (int) (left % 1_000_000));
        }
        return true;
    }

    synchronized double[] extras(int phase, int sender) {
        return slots[phase][sender].extras;
    }

    synchronized int flag(int phase, int sender) {
        return slots[phase][sender].flag;
    }

    /** The task has consumed (phase, round): the buffers are free for the next round. */
    synchronized void release(int phase, long round) {
        for (Slot s : slots[phase]) {
            s.done = round;
            s.round = NONE;
            s.received = 0;
            int kept = s.later.size();
            for (int i = 0; i < kept; i++) {
                deliver(s.later.poll(), false);
            }
        }
        changes++;
    }

    /** Records that peer {@code k}'s data may no longer come; {@code forSure}: all it sent is in. */
    synchronized void lose(int k, String why, boolean forSure) {
        if (lost[k] == null || forSure && !lostForSure[k]) {
            lost[k] = why;
            lostAt[k] = System.nanoTime();
            lostForSure[k] = forSure;
            changes++;
            notifyAll();
        }
    }

    synchronized String lost(int k) {
        return lost[k];
    }

    synchronized long lostAt(int k) {
        return lostAt[k];
    }

    synchronized boolean lostForSure(int k) {
        return lostForSure[k];
    }

    synchronized long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public void channelInactive(TransportClient client) {
        Integer k;
        synchronized (this) {
            k = senders.remove(client.getChannel());
        }
        if (k != null) {
            lose(k, "closed its connection", true);
        }
    }

    @Override
    public void exceptionCaught(Throwable cause, TransportClient client) {
        Integer k;
        synchronized (this) {
            k = senders.get(client.getChannel());
        }
        LOG.warn("collective: task {}'s connection from task {} failed: {}", rank, k, cause.toString());
        if (k != null) {
            lose(k, "broke its connection (" + cause.getClass().getSimpleName() + ")", true);
        }
    }

    @Override
    public void receive(TransportClient client, ByteBuffer message, RpcResponseCallback callback) {
        callback.onFailure(new UnsupportedOperationException("a collective takes one-way messages only"));
    }

    @Override
    public StreamManager getStreamManager() {
        return streams;
    }
}
