package dev.kindling.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kindling.backend.Backends;
import dev.kindling.cli.ErrorsDoc;
import dev.kindling.cli.Main;
import dev.kindling.io.ModelFile;
import dev.kindling.nn.Network;
import dev.kindling.nn.NetworkSpec;
import dev.kindling.spark.Cli;
import dev.kindling.spark.Launcher;
import dev.kindling.spark.TestCluster;
import dev.kindling.spark.TestData;
import dev.kindling.spark.TestSpark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.master.Master;
import org.apache.spark.rpc.RpcEnv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.Option;
import scala.Tuple3;

/**
 * A {@code spark://} master that cannot be used: every command that starts Spark gives up within
 * {@code spark.kindling.connectTimeout} with one line naming the master and what failed, where
 * Spark alone retries for a minute and then fails with a stack trace about a stopped context.
 * Each case's id is a row of docs/errors.md.
 */
public class SparkMasterCliTest {
    static final String IDX = TestSpark.fashionMnist().toString();
    static final List<String> CASES = List.of("spark-master-refused", "spark-master-unknown-host",
            "spark-master-no-workers", "spark-master-not-answering");

    @TempDir
    static Path shared;
    static Path parquet;
    static Path model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeDataAndModel() throws IOException {
        parquet = shared.resolve("fashion.parquet");
        TestData.writeParquet(TestSpark.session(), TestSpark.train(40), parquet, "binary", 1000);
        TestSpark.stop(); // the commands start their own Spark
        Network net = Network.build(NetworkSpec.mlp("784-8-10", "he", 0), Backends.create("loop"));
        net.initialize(1);
        model = shared.resolve("model");
        ModelFile.save(net, Map.of(), model);
    }

    @AfterEach
    void defaultTimeout() {
        System.clearProperty(SparkStart.CONNECT_TIMEOUT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"train", "evaluate", "predict", "sweep", "retrain", "report"})
    void everyCommandThatStartsSparkNamesAMasterNobodyListensOn(String command) throws Exception {
        String master = "spark://127.0.0.1:" + TestCluster.freePort();
        Cli.Result r = Cli.run(command(command, master));
        assertOneLine(r, Main.EXIT_FAILED, master, "connection refused");
        if (command.equals("retrain")) {
            assertFalse(Files.exists(tmp.resolve("registry").resolve("LOCK")), "the registry's lock is released");
        }
    }

    @Test
    void aMasterThatIsNotThereIsNamedAtOnce() throws Exception {
        String refused = "spark://127.0.0.1:" + TestCluster.freePort();
        String[] args = command("train", refused);
        Cli.Result r = Cli.run(args);
        assertOneLine(r, Main.EXIT_FAILED, refused, "connection refused");
        ErrorsDoc.record(CASES.get(0), r.code(), args, firstLine(r), tmp, shared);

        String unknown = "spark://no-such-host.invalid:7077";
        args = command("train", unknown);
        r = Cli.run(args);
        assertOneLine(r, Main.EXIT_FAILED, unknown, "unknown host", "no-such-host.invalid");
        ErrorsDoc.record(CASES.get(1), r.code(), args, firstLine(r), tmp, shared);
    }

    @Test
    void aMasterWithoutWorkersIsGivenUpOnAfterTheConnectTimeout() throws Exception {
        // a master in this JVM, its web UI on a free port; no worker registers with it
        Tuple3<RpcEnv, Object, Option<Object>> started = Master.startRpcEnvAndEndpoint("127.0.0.1", 0, 0,
                new SparkConf(false));
        RpcEnv rpc = started._1();
        try {
            String master = "spark://127.0.0.1:" + rpc.address().port();
            System.setProperty(SparkStart.CONNECT_TIMEOUT, "2s");
            String[] args = command("train", master);
            Cli.Result r = Cli.run(args);
            assertOneLine(r, Main.EXIT_FAILED, master, "no executor", "within 2 s", "workers");
            ErrorsDoc.record(CASES.get(2), r.code(), args, firstLine(r).replace(master, "spark://master:7077"),
                    tmp, shared);
            assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
        } finally {
            rpc.shutdown();
            rpc.awaitTermination();
        }
    }

    /**
     * A port that takes the connection but is no Spark master: here a web server, as a master's
     * web UI port given for its RPC port is. Spark waits for a reply inside the SparkContext's
     * constructor, logging each failed try with a stack trace. Run in its own JVM, as a user does:
     * the abandoned constructor must not outlive the command.
     */
    @Test
    void aPortThatIsNoSparkMasterIsGivenUpOnAfterTheConnectTimeout() throws Exception {
        HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.start();
        try {
            String master = "spark://127.0.0.1:" + web.getAddress().getPort();
            Launcher kindling = Launcher.in(Files.createDirectories(tmp.resolve("launcher")));
            String[] args = command("train", master);

            int code = kindling.run(120, "-D" + SparkStart.CONNECT_TIMEOUT + "=3s", args);

            List<String> err = kindling.errLines();
            assertEquals(Main.EXIT_FAILED, code, kindling.out() + kindling.err());
            assertEquals(1, err.size(), "one line: " + kindling.err());
            assertTrue(err.get(0).startsWith("kindling: " + master), err.get(0));
            assertTrue(err.get(0).contains("did not answer within 3 s"), err.get(0));
            ErrorsDoc.record(CASES.get(3), code, args, err.get(0).replace(master, "spark://master:8080"), tmp,
                    shared);
        } finally {
            web.stop(0);
        }
    }

    @Test
    void everyCaseIsListedInDocsErrorsMd() throws IOException {
        ErrorsDoc.assertListed(CASES, CASES.stream().map(c -> Main.EXIT_FAILED).toList());
    }

    private String[] command(String command, String master) throws IOException {
        Path out = tmp.resolve("out");
        return switch (command) {
            case "train" -> new String[] {"train", "--data", IDX, "--out", out.toString(), "--epochs", "1",
                "--arch", "784-8-10", "--master", master};
            case "evaluate" -> new String[] {"evaluate", "--model", model.toString(), "--data", parquet.toString(),
                "--master", master};
            case "predict" -> new String[] {"predict", "--model", model.toString(), "--data", IDX, "--out",
                out.toString(), "--master", master};
            case "sweep" -> new String[] {"sweep", "--spec", Files.writeString(tmp.resolve("sweep.yaml"),
                    "base: {arch: 784-8-10, epochs: 1}\nparameters:\n  lr: {choice: [0.1]}\nmethod: grid\n")
                    .toString(), "--data", IDX, "--out", out.toString(), "--master", master};
            case "retrain" -> new String[] {"retrain", "--registry", tmp.resolve("registry").toString(), "--data", IDX,
                "--run-id", "r1", "--master", master};
            case "report" -> {
                Path run = Files.createDirectories(tmp.resolve("run"));
                Files.writeString(run.resolve("metrics.jsonl"), "{\"epoch\":1,\"test_accuracy\":0.5}\n");
                ModelFile.save(Network.build(NetworkSpec.mlp("784-8-10", "he", 0), Backends.create("loop")),
                        Map.of(), run.resolve("model"));
                yield new String[] {"report", "--run", run.toString(), "--data", parquet.toString(), "--master", master};
            }
            default -> throw new IllegalArgumentException(command);
        };
    }

    /** The exit code, and stderr one line naming each of {@code names}, without a stack trace. */
    private static void assertOneLine(Cli.Result r, int code, String... names) {
        assertEquals(code, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        String line = firstLine(r);
        assertTrue(line.startsWith("kindling: " + names[0]), line);
        for (String name : names) {
            assertTrue(line.contains(name), "the message should name " + name + ": " + line);
        }
    }

    private static String firstLine(Cli.Result r) {
        return r.err().lines().findFirst().orElse("");
    }
}
