package dev.kindling.spark.exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * N tasks of a barrier stage as N threads of one JVM: each opens its own collective on the loopback
 * interface, the addresses are exchanged through a shared array, as BarrierTaskContext.allGather
 * would, and each runs {@link Body} with its collective, then closes it.
 */
final class Tasks {
    static final String HOST = "127.0.0.1";
    static final long LIMIT_SECONDS = 60;

    interface Body<T> {
        T run(Collective c, int rank, String[] addresses) throws Exception;
    }

    /** What each task's body returned, or what it threw (the exception itself), by rank. */
    static <T> List<Object> run(ExchangeSettings[] settings, String stage, Body<T> body) throws Exception {
        int n = settings.length;
        String[] addresses = new String[n];
        CyclicBarrier opened = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (Collective c = Collective.open(settings[rank], rank, n, HOST, stage)) {
                        addresses[rank] = c.address();
                        opened.await(LIMIT_SECONDS, TimeUnit.SECONDS);
                        return body.run(c, rank, addresses.clone());
                    } catch (Exception e) {
                        return e;
                    }
                }));
            }
            List<Object> results = new ArrayList<>();
            for (Future<Object> f : futures) {
                try {
                    results.add(f.get(LIMIT_SECONDS, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    results.add(e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** As {@link #run}, every task with the same settings. */
    static <T> List<Object> run(ExchangeSettings settings, int n, String stage, Body<T> body) throws Exception {
        ExchangeSettings[] all = new ExchangeSettings[n];
        java.util.Arrays.fill(all, settings);
        return run(all, stage, body);
    }

    /** Fails with the first task's exception if any task threw. */
    static void rethrow(List<Object> results) throws Exception {
        for (Object r : results) {
            if (r instanceof Exception) {
                throw (Exception) r;
            }
            if (r instanceof Error) {
                throw (Error) r;
            }
        }
    }

    private Tasks() {
    }
}
