package dev.kindling.spark.runtime;

import dev.kindling.spark.Cli;

import dev.kindling.spark.TestSpark;
import dev.kindling.spark.train.Checkpoint;

import static dev.kindling.spark.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authentication secret a job is given never reaches what the run writes: its output
 * directory (config, metrics, checkpoint, model), its console output, failed or not, and Spark's
 * own log, here at INFO with {@code spark.logConf} so that the configuration is logged. The
 * standalone cluster test checks the daemons', executors' and event logs the same way.
 */
public class SecretKeptOutTest {
    static final String DATA = TestSpark.fashionMnist().toString();

    @TempDir
    Path tmp;

    @BeforeAll
    static void noSharedContext() {
        TestSpark.stop(); // the CLI starts its own Spark, and a JVM holds one at a time
    }

    @Test
    void theSecretAppearsInNoFileNorOutputNorLogOfARun() throws Exception {
        String secret = HexFormat.of().formatHex(random(24));
        // spark-submit hands --conf and spark-defaults.conf settings to the driver as system
        // properties, which is where the job's SparkConf reads them from
        Map<String, String> settings = Map.of("spark.authenticate", "true", "spark.authenticate.secret", secret,
                "spark.network.crypto.enabled", "true", "spark.logConf", "true");
        StringWriter sparkLog = new StringWriter();
        Path ok = tmp.resolve("ok");
        Path diverged = tmp.resolve("diverged");
        Cli.Result trained;
        Cli.Result failed;
        try (AutoCloseable props = systemProperties(settings); AutoCloseable log = capture("org.apache.spark", sparkLog)) {
            trained = run("train", "--data", DATA, "--out", ok.toString(), "--master", "local[2]", "--arch", "784-16-10",
                    "--epochs", "1", "--limit", "1000", "--partitions", "2", "--checkpoint-every", "5");
            failed = run("train", "--data", DATA, "--out", diverged.toString(), "--master", "local[2]", "--arch",
                    "784-16-10", "--epochs", "1", "--limit", "1000", "--partitions", "2", "--optimizer", "sgd",
                    "--lr", "1e30", "--checkpoint-every", "1");
        }
        assertEquals(0, trained.code(), trained.out() + trained.err());
        assertEquals(1, failed.code(), failed.out() + failed.err());
        assertTrue(failed.err().contains("diverged"), failed.err());
        assertTrue(Files.exists(ok.resolve("checkpoint").resolve(Checkpoint.POSITION)), "a checkpoint was written");
        assertTrue(Files.exists(ok.resolve("model").resolve("model.json")), "a model was written");

        // Spark did log its configuration, the secret's key with it: the check below could fail
        String logged = sparkLog.toString();
        assertTrue(logged.contains("spark.authenticate.secret"), "the configuration was logged: " + logged.length());
        for (Cli.Result r : List.of(trained, failed)) {
            assertFalse(r.out().contains(secret), "the console output holds the secret");
            assertFalse(r.err().contains(secret), "the error output holds the secret");
        }
        assertFalse(logged.contains(secret), "Spark's log holds the secret");
        int files = 0;
        try (Stream<Path> all = Stream.concat(Files.walk(ok), Files.walk(diverged))) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                files++;
                assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(secret), f + " holds the secret");
            }
        }
        assertTrue(files >= 8, "config, metrics, checkpoint and model files: " + files);
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** Sets system properties until closed, then restores what was there. */
    static AutoCloseable systemProperties(Map<String, String> settings) {
        Map<String, String> before = new HashMap<>();
        settings.forEach((k, v) -> {
            before.put(k, System.getProperty(k));
            System.setProperty(k, v);
        });
        return () -> before.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    /** Sends {@code logger}'s INFO and above to {@code into} alone until closed. */
    static AutoCloseable capture(String logger, StringWriter into) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        WriterAppender appender = WriterAppender.newBuilder().setName("capture-" + logger).setTarget(into)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c: %m%n%ex").build()).build();
        appender.start();
        config.addAppender(appender);
        LoggerConfig own = new LoggerConfig(logger, Level.INFO, false);
        own.addAppender(appender, Level.INFO, null);
        config.addLogger(logger, own);
        ctx.updateLoggers();
        return () -> {
            config.removeLogger(logger);
            ctx.updateLoggers();
            appender.stop();
        };
    }
}
