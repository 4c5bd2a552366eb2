package dev.kindling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/**
 * {@code conf/spark-module-opens.args}, the one copy of the JVM options Spark 3.5 needs on Java
 * 17, which the launchers and the test JVMs read: it is Spark's own launcher list, and it reaches
 * the JVMs that run Spark.
 */
public class ModuleOpensTest {
    static final Path FILE = Path.of("conf", "spark-module-opens.args");

    /** The options of a java @argfile: every line that is neither blank nor a comment. */
    static List<String> options(Path argfile) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(argfile)) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void holdsEveryOpenOfSparksLauncherAndOnSpark3TheWholeList() throws Exception {
        Set<String> ours = new LinkedHashSet<>(options(FILE));
        List<String> sparks = Arrays.asList(JavaModuleOptions.defaultModuleOptions().split(" "));
        for (String option : sparks) {
            if (option.startsWith("--add-opens")) {
                assertTrue(ours.contains(option), FILE + " lacks " + option);
            }
        }
        if (org.apache.spark.package$.MODULE$.SPARK_VERSION().startsWith("3.")) {
            // Spark 4's list adds options for its own needs; Spark 3.5's is this file exactly
            assertEquals(new LinkedHashSet<>(sparks), ours);
        }
    }

    @Test
    void theTestJvmWasStartedWithThem() throws Exception {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String option : options(FILE)) {
            assertTrue(args.contains(option), "test JVM lacks " + option + ": " + args);
        }
    }
}
