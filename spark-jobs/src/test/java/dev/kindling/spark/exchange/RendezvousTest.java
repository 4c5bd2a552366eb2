package dev.kindling.spark.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The driver's rendezvous answers every task with every address, and only tasks holding the secret. */
class RendezvousTest {
    static List<Object> meet(Rendezvous r, ExchangeSettings[] tasks, String stage) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.length);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int t = 0; t < tasks.length; t++) {
                int rank = t;
                futures.add(pool.submit(() -> {
                    try {
                        return Rendezvous.meet(tasks[rank], r.address(), stage, rank, tasks.length, "host-" + rank + ":" + (100 + rank));
                    } catch (Exception e) {
                        return e;
                    }
                }));
            }
            List<Object> out = new ArrayList<>();
            for (Future<Object> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyTaskGetsEveryAddressInRankOrder() throws Exception {
        ExchangeSettings s = new ExchangeSettings(10_000, 1 << 20, CollectiveTest.secret("s3cret"), "app", true);
        try (Rendezvous r = new Rendezvous(s, "127.0.0.1", "127.0.0.1")) {
            for (String stage : new String[] {"4.0", "4.1"}) {
                List<Object> got = meet(r, new ExchangeSettings[] {s, s, s}, stage);
                for (Object o : got) {
                    assertArrayEquals(new String[] {"host-0:100", "host-1:101", "host-2:102"}, (String[]) o);
                }
            }
        }
    }

    @Test
    void aTaskWithAWrongSecretCannotMeetAndTheOthersTimeOut() throws Exception {
        ExchangeSettings s = new ExchangeSettings(1_000, 1 << 20, CollectiveTest.secret("s3cret"), "app", false);
        ExchangeSettings wrong = new ExchangeSettings(1_000, 1 << 20, CollectiveTest.secret("guess"), "app", false);
        try (Rendezvous r = new Rendezvous(s, "127.0.0.1", "127.0.0.1")) {
            List<Object> got = meet(r, new ExchangeSettings[] {s, wrong}, "7.0");
            assertInstanceOf(KindlingException.class, got.get(1));
            assertInstanceOf(KindlingException.class, got.get(0));
            String timedOut = ((Exception) got.get(0)).getMessage();
            assertTrue(timedOut.contains("could not meet the others") && timedOut.contains("spark.kindling.exchange.timeout"),
                    timedOut);
            assertTrue(!((Exception) got.get(1)).getMessage().contains("guess"), "the secret is not in the message");
        }
    }
}
