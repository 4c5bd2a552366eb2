package dev.kindling.spark.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The same-JVM exchange gives what the network's does, and a task that stops or goes silent is named at once. */
class SharedMemoryTest {
    interface Body {
        Object run(SharedMemory e, int rank) throws Exception;
    }

    static List<Object> run(String stage, int n, long timeoutMs, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (SharedMemory e = SharedMemory.join(stage, rank, n, timeoutMs, () -> false)) {
                        return body.run(e, rank);
                    } catch (Exception e) {
                        return e;
                    }
                }));
            }
            List<Object> results = new ArrayList<>();
            for (Future<Object> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Three tasks; task 1 fails and closes, and only then do tasks 0 and 2 join. */
    static List<Object> runJoiningAfter(String stage, java.util.concurrent.CountDownLatch oneLeft) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    if (rank != 1) {
                        oneLeft.await(30, TimeUnit.SECONDS);
                    }
                    try (SharedMemory e = SharedMemory.join(stage, rank, 3, 60_000, () -> false)) {
                        if (rank == 1) {
                            throw new IllegalStateException("task 1's own failure");
                        }
                        e.reduceScatter(1, new float[10], 10, null, new float[10]);
                        return "no error";
                    } catch (Exception ex) {
                        return ex;
                    } finally {
                        if (rank == 1) {
                            oneLeft.countDown();
                        }
                    }
                }));
            }
            List<Object> results = new ArrayList<>();
            for (Future<Object> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0} tasks, {1} floats")
    @CsvSource({"2, 1", "3, 2", "3, 1000", "4, 100003"})
    void reduceScatterIsTheRankOrderSumAndAllGatherTheWholeVector(int n, int length) throws Exception {
        List<Object> results = run("stage-sums-" + n + "-" + length, n, 30_000, (e, rank) -> {
            float[] vector = new float[length];
            float[] slice = new float[length];
            for (int round = 1; round <= 20; round++) {
                float[][] all = new float[n][length];
                for (int t = 0; t < n; t++) {
                    SplittableRandom r = new SplittableRandom(round * 31L + t);
                    for (int i = 0; i < length; i++) {
                        all[t][i] = (float) r.nextGaussian() * (1 << (i % 20));
                    }
                }
                System.arraycopy(all[rank], 0, vector, 0, length);
                double[] sums = e.reduceScatter(round, vector, length, new double[] {rank, round}, slice);
                assertEquals(n * (n - 1) / 2.0, sums[0]);
                assertEquals((double) round * n, sums[1]);
                int start = Slices.start(rank, n, length);
                int end = Slices.end(rank, n, length);
                for (int i = start; i < end; i++) {
                    float acc = 0f;
                    for (int t = 0; t < n; t++) {
                        acc += all[t][i];
                    }
                    assertEquals(Float.floatToIntBits(acc), Float.floatToIntBits(slice[i - start]), "element " + i);
                }
                // the new values: this task's slice of "the updated vector", here the sums times 2
                for (int i = start; i < end; i++) {
                    vector[i] = slice[i - start] * 2;
                }
                int flags = e.allGather(round, vector, length, round == 7 && rank == n - 1 ? 4 : 0);
                assertEquals(round == 7 ? 4 : 0, flags);
                float[] expected = new float[length];
                for (int i = 0; i < length; i++) {
                    float acc = 0f;
                    for (int t = 0; t < n; t++) {
                        acc += all[t][i];
                    }
                    expected[i] = acc * 2;
                }
                assertArrayEquals(expected, vector, "round " + round);
            }
            return (long) (e.bytesSent() + e.bytesReceived());
        });
        for (Object r : results) {
            if (r instanceof Throwable t) {
                throw new AssertionError(t);
            }
        }
    }

    @Test
    void aTaskThatStopsFailsTheOthersAtOnce() throws Exception {
        long t0 = System.nanoTime();
        // task 1 fails and leaves before the others have joined, and again after they have
        java.util.concurrent.CountDownLatch oneLeft = new java.util.concurrent.CountDownLatch(1);
        List<Object> results = run("stage-stops", 3, 60_000, (e, rank) -> {
            if (rank == 1) {
                throw new IllegalStateException("task 1's own failure");
            }
            e.reduceScatter(1, new float[10], 10, null, new float[10]);
            return "no error";
        });
        List<Object> early = runJoiningAfter("stage-stops-early", oneLeft);
        for (int rank : new int[] {0, 2}) {
            assertInstanceOf(KindlingException.class, early.get(rank), String.valueOf(early.get(rank)));
        }
        assertInstanceOf(IllegalStateException.class, results.get(1));
        for (int rank : new int[] {0, 2}) {
            assertInstanceOf(KindlingException.class, results.get(rank), String.valueOf(results.get(rank)));
            assertTrue(((Exception) results.get(rank)).getMessage().contains("task 1 stopped"),
                    ((Exception) results.get(rank)).getMessage());
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "failed at once, not after the timeout");
    }

    @Test
    void aSilentTaskIsNamedAfterTheTimeout() throws Exception {
        List<Object> results = run("stage-silent", 3, 300, (e, rank) -> {
            if (rank == 2) {
                Thread.sleep(3000); // alive, but never comes
                return "slept";
            }
            e.reduceScatter(5, new float[10], 10, null, new float[10]);
            return "no error";
        });
        for (int rank : new int[] {0, 1}) {
            assertInstanceOf(KindlingException.class, results.get(rank));
            String message = ((Exception) results.get(rank)).getMessage();
            assertTrue(message.contains("task 2 (in this JVM) did not reach round 5 (reduce-scatter)")
                    && message.contains("spark.kindling.exchange.timeout"), message);
        }
    }
}
