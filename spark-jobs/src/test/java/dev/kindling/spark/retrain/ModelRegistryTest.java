package dev.kindling.spark.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ModelRegistryTest {
    @TempDir
    java.nio.file.Path dir;

    private ModelRegistry registry() throws Exception {
        Path root = new Path(dir.toUri().toString(), "registry");
        return new ModelRegistry(FileSystem.get(root.toUri(), new Configuration()), root);
    }

    @Test
    void emptyThenPromoted() throws Exception {
        ModelRegistry r = registry();
        assertEquals(OptionalInt.empty(), r.current());
        int v = r.claimVersion();
        assertEquals(1, v);
        r.promote(v);
        assertEquals(OptionalInt.of(1), r.current());
        r.promote(r.claimVersion());
        assertEquals(OptionalInt.of(2), r.current());
    }

    @Test
    void concurrentClaimsAreDistinct() throws Exception {
        ModelRegistry r = registry();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> claims = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            claims.add(pool.submit(r::claimVersion));
        }
        Set<Integer> got = new HashSet<>();
        for (Future<Integer> f : claims) {
            assertTrue(got.add(f.get()), "version claimed twice");
        }
        pool.shutdown();
        assertEquals(40, got.size());
        assertEquals(40, got.stream().mapToInt(Integer::intValue).max().getAsInt());
    }

    @Test
    void lockIsExclusiveUntilReleasedOrStale() throws Exception {
        ModelRegistry r = registry();
        assertTrue(r.tryLock("run-a", 60_000));
        assertFalse(r.tryLock("run-b", 60_000));
        assertTrue(Files.readString(dir.resolve("registry/LOCK")).startsWith("run-a\n"));
        // run-a died an hour ago: its lock is past the minute's stale limit
        assertTrue(dir.resolve("registry/LOCK").toFile()
                .setLastModified(System.currentTimeMillis() - 3_600_000L));
        assertTrue(r.tryLock("run-c", 60_000), "a lock older than the stale limit is taken over");
        assertTrue(Files.readString(dir.resolve("registry/LOCK")).startsWith("run-c\n"));
        r.unlock();
        assertTrue(r.tryLock("run-d", 60_000));
    }

    @Test
    void promotionReplacesCurrentInPlaceAndLeavesNothingPending() throws Exception {
        ModelRegistry r = registry();
        r.promote(r.claimVersion());
        r.promote(r.claimVersion());
        assertEquals(OptionalInt.of(2), r.current());
        try (var names = Files.list(dir.resolve("registry"))) {
            List<String> left = names.map(p -> p.getFileName().toString()).filter(n -> n.contains("CURRENT")).toList();
            assertEquals(List.of("CURRENT"), left, "no pending file nor checksum side file");
        }
    }

    @Test
    void aPromotionCutShortAfterTheOldPointerWentIsCompletedOnRead() throws Exception {
        ModelRegistry r = registry();
        r.promote(r.claimVersion());
        r.claimVersion();
        // what a crash leaves where the rename could not replace CURRENT in one step: the new
        // pointer written in full, the old one removed, the rename not done
        Files.writeString(dir.resolve("registry/" + ModelRegistry.PENDING + "17"), "v2\n");
        Files.delete(dir.resolve("registry/CURRENT"));
        assertEquals(OptionalInt.of(2), r.current());
        r.promote(r.claimVersion());
        assertEquals(OptionalInt.of(3), r.current());
        assertFalse(Files.exists(dir.resolve("registry/" + ModelRegistry.PENDING + "17")), "the spent pending file");
    }

    @Test
    void aCorruptPointerIsNamed() throws Exception {
        ModelRegistry r = registry();
        Files.writeString(dir.resolve("registry/CURRENT"), "latest\n");
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.kindling.KindlingException.class, r::current);
        assertTrue(e.getMessage().contains("CURRENT") && e.getMessage().contains("'latest'"), e.getMessage());
    }

    @Test
    void runsThatFindTheSameStaleLockTakeItOverOneAtATime() throws Exception {
        for (int round = 0; round < 5; round++) {
            ModelRegistry r = registry();
            assertTrue(r.tryLock("dead-run", 60_000));
            // the holder died an hour ago
            java.io.File lock = dir.resolve("registry/LOCK").toFile();
            assertTrue(lock.setLastModified(System.currentTimeMillis() - 3_600_000L));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<Boolean>> tries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String holder = "run-" + i;
                tries.add(pool.submit(() -> {
                    go.await();
                    return r.tryLock(holder, 60_000);
                }));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> f : tries) {
                won += f.get() ? 1 : 0;
            }
            pool.shutdown();
            assertEquals(1, won, "round " + round + ": exactly one run holds the lock");
            assertTrue(Files.readString(dir.resolve("registry/LOCK")).startsWith("run-"));
            r.unlock();
            try (var all = Files.list(dir)) {
                for (java.nio.file.Path p : all.toList()) {
                    try (var inside = Files.walk(p)) {
                        for (java.nio.file.Path q : inside.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.delete(q);
                        }
                    }
                }
            }
        }
    }
}
