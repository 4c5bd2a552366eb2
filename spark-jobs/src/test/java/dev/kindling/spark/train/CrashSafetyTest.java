package dev.kindling.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.backend.Backends;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.spark.CrashingFileSystem;
import dev.kindling.spark.io.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash between writing a checkpoint or model and publishing it (the rename into place fails
 * after the previous one was moved aside): the previous one stays valid and is the one loaded.
 */
public class CrashSafetyTest {
    @TempDir
    Path tmp;

    @AfterEach
    void noCrash() {
        CrashingFileSystem.crashOnRenameTo = null;
    }

    static Configuration crashing() {
        Configuration conf = new Configuration();
        conf.set("fs.file.impl", CrashingFileSystem.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        return conf;
    }

    static Network network(long seed) {
        Network net = Network.build(NetworkSpec.mlp("784-10-10", "he", 0), Backends.create("java"));
        net.initialize(seed);
        return net;
    }

    static Checkpoint checkpoint(Network net, long round) {
        return new Checkpoint(net.spec(), round, round, 1, round, false, round, Double.NaN, 0, 7, "sync", 1, 1000,
                100, net.parameters().clone(), net.state().clone(), new float[2 * net.parameters().length]);
    }

    @Test
    void aCheckpointInterruptedBeforePublishingLeavesThePreviousOneLoaded() {
        RunOutput out = RunOutput.open(tmp.resolve("run").toString(), crashing(), false, false);
        out.start();
        Network first = network(1);
        out.save(checkpoint(first, 10));
        CrashingFileSystem.crashOnRenameTo = RunOutput.CHECKPOINT;
        KindlingException e = assertThrows(KindlingException.class, () -> out.save(checkpoint(network(2), 20)));
        assertTrue(e.getMessage().contains("cannot write the checkpoint"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("run").resolve(RunOutput.CHECKPOINT)), "the crash left no checkpoint/");

        CrashingFileSystem.crashOnRenameTo = null;
        Checkpoint loaded = RunOutput.open(tmp.resolve("run").toString(), crashing(), false, true).load();
        assertEquals(10, loaded.round());
        assertArrayEquals(first.parameters(), loaded.parameters());
    }

    @Test
    void aModelInterruptedBeforePublishingLeavesThePreviousOneLoaded() {
        String run = tmp.resolve("run").toString();
        RunOutput out = RunOutput.open(run, crashing(), false, false);
        out.start();
        Network first = network(1);
        out.saveModel(first, Map.of("version", "first"));
        CrashingFileSystem.crashOnRenameTo = RunOutput.MODEL;
        assertThrows(KindlingException.class, () -> out.saveModel(network(2), Map.of("version", "second")));
        CrashingFileSystem.crashOnRenameTo = null;

        ModelFile.Contents loaded = ModelDirectory.read(tmp.resolve("run").resolve(RunOutput.MODEL).toString(),
                new Configuration());
        assertArrayEquals(first.parameters(), loaded.parameters(), "the previous model, complete");
        assertEquals("first", loaded.metadata().get("version"));
    }
}
