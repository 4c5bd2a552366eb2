package dev.kindling.spark;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs {@code scripts/kindling} as a user does, in a child process, for the tests of what only a
 * real launch shows (its environment, signals, Spark's console output). The script runs from a
 * scratch copy of the checkout's layout, its build stamp newer than everything, so that it does
 * not start the package build it would run on a fresh checkout; and the {@code java} it starts
 * ({@code JAVA}) puts this test JVM's class path in place of the packaged one and records the
 * environment it was given. Everything else (JVM options, logging, the environment the script
 * sets) is the script's own.
 */
public final class Launcher {
    /**
     * This JVM's class path as the packaged launcher's would be: without the test classes and
     * slf4j-simple, which only the tests bring in (and which would make SLF4J warn of two bindings).
     */
    private static String classPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("slf4j-simple") && !e.endsWith("test-classes") && !e.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** What the child's {@code java} saw of the variables the tests ask about, one NAME=VALUE a line. */
    private static final List<String> RECORDED = List.of("SPARK_LOCAL_IP");

    private final Path root;

    private Launcher(Path root) {
        this.root = root;
    }

    /** A launcher in {@code scratch}, holding copies of this checkout's scripts. */
    public static Launcher in(Path scratch) throws IOException {
        Path root = scratch.toAbsolutePath();
        Path scripts = Files.createDirectories(root.resolve("scripts").resolve("lib"));
        Files.copy(TestCluster.ROOT.resolve("scripts").resolve("kindling"), root.resolve("scripts").resolve("kindling"));
        Files.copy(TestCluster.ROOT.resolve("scripts").resolve("lib").resolve("jvm.sh"), scripts.resolve("jvm.sh"));
        Path jobs = root.resolve("spark-jobs");
        for (Path dir : List.of(root.resolve("core").resolve("src").resolve("main"), jobs.resolve("src").resolve("main"),
                jobs.resolve("target").resolve("classes"), jobs.resolve("target").resolve("lib"))) {
            Files.createDirectories(dir);
        }
        for (Path pom : List.of(root.resolve("pom.xml"), root.resolve("core").resolve("pom.xml"), jobs.resolve("pom.xml"))) {
            Files.writeString(pom, "");
        }
        Path conf = Files.createDirectories(jobs.resolve("conf"));
        try (Stream<Path> files = Files.list(TestCluster.ROOT.resolve("spark-jobs").resolve("conf"))) {
            for (Path f : files.toList()) {
                Files.copy(f, conf.resolve(f.getFileName()));
            }
        }
        Path stamp = Files.writeString(jobs.resolve("target").resolve(".launcher-build"), "");
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now().plusSeconds(3600)));

        StringBuilder java = new StringBuilder("""
                #!/usr/bin/env bash
                # java as scripts/kindling starts it, on the test's class path instead of the packaged one
                """);
        for (String name : RECORDED) {
            java.append("echo \"").append(name).append("=${").append(name).append("-}\" >> '").append(root)
                    .append("/environment'\n");
        }
        java.append("""
                args=()
                while (($#)); do
                  if [[ $1 == -cp ]]; then args+=(-cp '%s'); shift 2; else args+=("$1"); shift; fi
                done
                exec '%s' "${args[@]}"
                """.formatted(classPath(), TestCluster.JAVA));
        Path fake = Files.writeString(root.resolve("java"), java);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new Launcher(root);
    }

    /**
     * Starts {@code scripts/kindling ARGS} with stdout and stderr in files beside the scripts; the
     * script {@code exec}s the JVM, so the process is the JVM. {@code javaOptions} are
     * KINDLING_JAVA_OPTS; the test JVM's SPARK_LOCAL_IP (set by the pom) is left out.
     */
    public Process start(String javaOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(root.resolve("scripts").resolve("kindling").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
                .redirectOutput(stdout().toFile()).redirectError(stderr().toFile());
        Map<String, String> env = pb.environment();
        env.remove("SPARK_LOCAL_IP");
        env.put("JAVA", root.resolve("java").toString());
        env.put("KINDLING_JAVA_OPTS", "-Xmx1g " + javaOptions);
        Process p = pb.start();
        TestCluster.RUNNING.add(p);
        return p;
    }

    /** Runs {@code scripts/kindling ARGS} to its end, killing it after {@code seconds}; returns its exit code. */
    public int run(long seconds, String javaOptions, String... args) throws IOException, InterruptedException {
        Process p = start(javaOptions, args);
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                TestCluster.destroyTree(p.toHandle());
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("kindling " + String.join(" ", args) + " still ran after " + seconds + " s\n"
                        + out() + err());
            }
            return p.exitValue();
        } finally {
            TestCluster.RUNNING.remove(p);
        }
    }

    public Path stdout() {
        return root.resolve("stdout");
    }

    public Path stderr() {
        return root.resolve("stderr");
    }

    public String out() throws IOException {
        return Files.exists(stdout()) ? Files.readString(stdout()) : "";
    }

    public String err() throws IOException {
        return Files.exists(stderr()) ? Files.readString(stderr()) : "";
    }

    /**
     * stderr's lines but the JVM's own notice of the Vector API module, which every launch of the
     * script prints first.
     */
    public List<String> errLines() throws IOException {
        return err().lines().filter(l -> !l.equals("WARNING: Using incubator modules: jdk.incubator.vector")).toList();
    }

    /** The variables the child's JVM was started with, as NAME=VALUE lines (empty: unset or empty). */
    public List<String> environment() throws IOException {
        Path f = root.resolve("environment");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }
}
