package dev.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.backend.Backends;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code scripts/kindling} gives the JVM of a Spark command, seen from a real launch. */
public class LauncherScriptTest {
    @TempDir
    Path tmp;

    /**
     * Where the machine's name resolves to a loopback address (as on most laptops and in
     * containers), Spark warns about it twice on its start unless SPARK_LOCAL_IP says which
     * address to use; the launcher sets it for every Spark command, not only for train.
     */
    @Test
    void aSparkCommandBesidesTrainStartsWithoutTheLoopbackWarnings() throws Exception {
        Network net = Network.build(NetworkSpec.mlp("784-8-10", "he", 0), Backends.create("loop"));
        net.initialize(1);
        Path model = tmp.resolve("model");
        ModelFile.save(net, Map.of(), model);
        Launcher kindling = Launcher.in(Files.createDirectories(tmp.resolve("launcher")));

        int code = kindling.run(180, "", "predict", "--model", model.toString(), "--data",
                TestSpark.fashionMnist().toString(), "--out", tmp.resolve("scores").toString(), "--master", "local[2]",
                "--partitions", "2");

        assertEquals(0, code, kindling.out() + kindling.err());
        assertTrue(kindling.out().contains("scored 10000 examples"), kindling.out());
        assertFalse(kindling.err().contains("loopback address"), kindling.err());
        assertTrue(kindling.environment().contains("SPARK_LOCAL_IP=127.0.0.1"), kindling.environment().toString());
    }

    /**
     * The launcher's JVM runs the parallel collector (G1's concurrent cycles took a core from the
     * tasks on local[2]: BENCHMARKS.md), unless KINDLING_JAVA_OPTS chooses a collector, which
     * then is the one used (two choices would stop the JVM from starting).
     */
    @Test
    void theLauncherRunsTheParallelCollectorUnlessTheUsersOptionsChooseOne() throws Exception {
        Launcher kindling = Launcher.in(Files.createDirectories(tmp.resolve("launcher")));
        assertEquals(0, kindling.run(120, "-Xlog:gc:stdout", "--version"), kindling.err());
        assertTrue(kindling.out().contains("Using Parallel"), kindling.out());

        Launcher chosen = Launcher.in(Files.createDirectories(tmp.resolve("chosen")));
        assertEquals(0, chosen.run(120, "-XX:+UseSerialGC -Xlog:gc:stdout", "--version"), chosen.err());
        assertTrue(chosen.out().contains("Using Serial"), chosen.out());
    }
}
