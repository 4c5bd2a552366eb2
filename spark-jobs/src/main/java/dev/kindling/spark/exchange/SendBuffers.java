package dev.kindling.spark.exchange;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The direct buffers messages are written from, reused across rounds. A buffer comes back only
 * when Netty has finished writing it to every peer it went to (the write futures' listeners), so
 * no message is overwritten while on its way. At most {@code max} are out at once: a task waits for
 * its earlier writes rather than queueing a whole vector's worth in Netty.
 */
final class SendBuffers {
    private final int capacity;
    private final int max;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int allocated;
    private int out;

    SendBuffers(int capacity, int max) {
        this.capacity = capacity;
        this.max = max;
    }

    /**
     * A buffer of at least {@code bytes}; waits up to {@code nanos} for one to come back when
     * {@code max} are out. Returns null on timeout.
     */
    synchronized ByteBuffer take(int bytes, long nanos) throws InterruptedException {
        if (bytes > capacity) {
            // a message with many extras: a buffer of its own, dropped when it comes back
            out++;
            return ByteBuffer.allocateDirect(bytes);
        }
        long deadline = System.nanoTime() + nanos;
        while (free.isEmpty() && allocated >= max) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        out++;
        if (!free.isEmpty()) {
            return free.pop();
        }
        allocated++;
        return ByteBuffer.allocateDirect(capacity);
    }

    /** Netty has written {@code b}: it may be used again. */
    synchronized void give(ByteBuffer b) {
        out--;
        if (b.capacity() == capacity) {
            free.push(b);
        }
        notifyAll();
    }

    /** Waits up to {@code nanos} until every buffer is back; whether they all are. */
    synchronized boolean awaitAllBack(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (out > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
