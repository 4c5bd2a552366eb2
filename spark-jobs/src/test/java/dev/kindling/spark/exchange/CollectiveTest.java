package dev.kindling.spark.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.network.sasl.SecretKeyHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The collective among N threads of one JVM, each with its own server on the loopback interface:
 * reduce-scatter gives the rank-order float sum bit for bit, all-gather reassembles the vector,
 * with authentication and encryption too; a silent peer and a closed peer give errors that name
 * them.
 */
public class CollectiveTest {
    static final int FIRST_ROUND = 17;

    /**
     * Task {@code task}'s float i of round {@code round}: a hash, of varied magnitude, so that the
     * order of the additions shows in the sum's last bits.
     */
    static float value(long round, int task, int i) {
        long z = round * 0x9E3779B97F4A7C15L + task * 0xBF58476D1CE4E5B9L + i * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        float unit = (z >>> 40) / (float) (1 << 24) * 2 - 1;
        return Math.scalb(unit, (int) ((z >>> 4) & 15) - 8);
    }

    /** The sum the collective defines: from 0f, tasks in rank order. */
    static float sum(long round, int tasks, int i) {
        float acc = 0f;
        for (int t = 0; t < tasks; t++) {
            acc += value(round, t, i);
        }
        return acc;
    }

    static double[] extras(long round, int rank) {
        return new double[] {rank + 1, round * 0.1 + rank / 3.0};
    }

    static int flag(long round, int rank) {
        return round % 3 == 0 ? 0 : 1 << ((round + rank) % 5);
    }

    /** Runs {@code rounds} rounds of reduce-scatter then all-gather and checks every result. */
    static List<Object> rounds(ExchangeSettings settings, int n, int length, int rounds) throws Exception {
        return Tasks.run(settings, n, "stage-" + n + "-" + length, (c, rank, addresses) -> {
            c.connect(addresses);
            int start = Slices.start(rank, n, length);
            int end = Slices.end(rank, n, length);
            float[] vector = new float[length];
            float[] slice = new float[end - start];
            for (long r = FIRST_ROUND; r < FIRST_ROUND + rounds; r++) {
                for (int i = 0; i < length; i++) {
                    vector[i] = value(r, rank, i);
                }
                double[] total = c.reduceScatter(r, vector, length, extras(r, rank), slice);
                for (int i = start; i < end; i++) {
                    assertEquals(Float.floatToRawIntBits(sum(r, n, i)), Float.floatToRawIntBits(slice[i - start]),
                            "round " + r + ", task " + rank + ", float " + i);
                    assertEquals(value(r, rank, i), vector[i], "the vector is not changed");
                }
                double[] expected = new double[2];
                int or = 0;
                for (int t = 0; t < n; t++) {
                    expected[0] += extras(r, t)[0];
                    expected[1] += extras(r, t)[1];
                    or |= flag(r, t);
                }
                assertEquals(expected[0], total[0]);
                assertEquals(expected[1], total[1]);

                System.arraycopy(slice, 0, vector, start, end - start);
                assertEquals(or, c.allGather(r, vector, length, flag(r, rank)));
                for (int i = 0; i < length; i++) {
                    if (Float.floatToRawIntBits(sum(r, n, i)) != Float.floatToRawIntBits(vector[i])) {
                        assertEquals(sum(r, n, i), vector[i], "round " + r + ", task " + rank + ", gathered float " + i);
                    }
                }
            }
            // per round a task sends its vector less its own slice, then its slice to the n - 1 others
            long floats = (long) rounds * (length - (end - start) + (long) (n - 1) * (end - start));
            assertTrue(c.bytesSent() >= 4 * floats && c.bytesSent() <= 4 * floats * 1.01 + rounds * n * 4096L,
                    c.bytesSent() + " bytes sent for " + floats + " floats");
            return c.bytesSent();
        });
    }

    @ParameterizedTest(name = "{0} tasks, {1} floats")
    @CsvSource({"2, 1", "2, 1000", "3, 1", "3, 2", "3, 1000", "4, 1", "4, 3", "4, 1000", "1, 1000"})
    void reduceScatterIsTheRankOrderSumAndAllGatherReassembles(int n, int length) throws Exception {
        // 64 floats a message: 1000 floats are chunked, so adding overlaps receiving
        Tasks.rethrow(rounds(new ExchangeSettings(30_000, 256, null, "test", false), n, length, 50));
    }

    @ParameterizedTest(name = "{0} tasks, 1,000,003 floats")
    @CsvSource({"2", "3", "4"})
    void largeVectorsGoInChunks(int n) throws Exception {
        Tasks.rethrow(rounds(new ExchangeSettings(30_000, 256 << 10, null, "test", false), n, 1_000_003, 3));
    }

    static SecretKeyHolder secret(String secret) {
        return new SecretKeyHolder() {
            @Override
            public String getSaslUser(String appId) {
                return "sparkSaslUser";
            }

            @Override
            public String getSecretKey(String appId) {
                return secret;
            }
        };
    }

    @Test
    void authenticatedTasksExchange() throws Exception {
        Tasks.rethrow(rounds(new ExchangeSettings(30_000, 1024, secret("s3cret-one"), "app-1", false), 3, 1000, 5));
    }

    @Test
    void encryptedTasksExchange() throws Exception {
        Tasks.rethrow(rounds(new ExchangeSettings(30_000, 1024, secret("s3cret-one"), "app-1", true), 3, 1000, 5));
    }

    @ParameterizedTest(name = "encrypted: {0}")
    @CsvSource({"false", "true"})
    void aTaskWithAnotherSecretCannotConnect(boolean encrypt) throws Exception {
        ExchangeSettings[] settings = {
            new ExchangeSettings(30_000, 1024, secret("s3cret-one"), "app-1", encrypt),
            new ExchangeSettings(30_000, 1024, secret("wrong-s3cret"), "app-1", encrypt),
        };
        List<Object> results = Tasks.run(settings, "stage-auth", (c, rank, addresses) -> {
            c.connect(addresses);
            return addresses;
        });
        assertInstanceOf(KindlingException.class, results.get(0));
        String message = ((Exception) results.get(0)).getMessage();
        assertTrue(message.matches("collective: authentication with task 1 at 127\\.0\\.0\\.1:\\d+ failed.*"), message);
        assertFalse(message.contains("s3cret"), message);
        assertInstanceOf(KindlingException.class, results.get(1));
    }

    @Test
    void aSilentPeerTimesOutByName() throws Exception {
        CountDownLatch over = new CountDownLatch(2);
        long t0 = System.nanoTime();
        List<Object> results = Tasks.run(new ExchangeSettings(500, 1024, null, "test", false), 3, "stage-silent",
                (c, rank, addresses) -> {
                    c.connect(addresses);
                    if (rank == 2) {
                        // connected, then never sends
                        over.await(Tasks.LIMIT_SECONDS, TimeUnit.SECONDS);
                        return addresses[2];
                    }
                    try {
                        c.reduceScatter(5, new float[100], 100, null, new float[100]);
                        return "no error";
                    } finally {
                        over.countDown();
                    }
                });
        String silent = (String) results.get(2);
        for (int rank = 0; rank < 2; rank++) {
            assertInstanceOf(KindlingException.class, results.get(rank));
            assertEquals("collective: task 2 at " + silent + " sent nothing for round 5 (reduce-scatter) within 500 ms; "
                    + "see spark.kindling.exchange.timeout", ((Exception) results.get(rank)).getMessage());
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void aClosedPeerIsNamedBeforeTheTimeout() throws Exception {
        long t0 = System.nanoTime();
        // every task connected before task 2 closes: the close is what is under test, not a refused connection
        java.util.concurrent.CyclicBarrier connected = new java.util.concurrent.CyclicBarrier(3);
        List<Object> results = Tasks.run(new ExchangeSettings(60_000, 1024, null, "test", false), 3, "stage-closed",
                (c, rank, addresses) -> {
                    c.connect(addresses);
                    connected.await(30, TimeUnit.SECONDS);
                    if (rank == 2) {
                        c.close();
                        return addresses[2];
                    }
                    c.reduceScatter(5, new float[100], 100, null, new float[100]);
                    return "no error";
                });
        String closed = (String) results.get(2);
        for (int rank = 0; rank < 2; rank++) {
            assertInstanceOf(KindlingException.class, results.get(rank));
            String message = ((Exception) results.get(rank)).getMessage();
            assertTrue(message.startsWith("collective: task 2 at " + closed + " closed its connection during round 5"
                    + " (reduce-scatter)"), message);
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20));
    }
}
