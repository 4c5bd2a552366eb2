package dev.kindling.spark.report;

import dev.kindling.spark.Cli;

import dev.kindling.spark.TestSpark;
import dev.kindling.spark.train.TrainCliTest;

import static dev.kindling.spark.Cli.assertRefused;
import static dev.kindling.spark.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.cli.Main;
import dev.kindling.io.Json;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kindling report} end to end: a real run and a real sweep on local[2], their pages
 * opened in headless Chromium, whose DOM after the scripts ran must show every chart drawn.
 * Without Chromium the browser part is skipped, except under CI (CI=true), where it fails.
 */
public class ReportCliTest {
    static final String DATA = TestSpark.fashionMnist().toString();
    private static final Pattern CANVAS = Pattern.compile("<canvas[^>]*>");

    @TempDir
    Path tmp;

    @BeforeAll
    static void noSharedContext() {
        TestSpark.stop();
    }

    @Test
    void theSettingsOfARunOnEitherMasterIncludeItsDataAndLimit() throws Exception {
        for (String master : List.of("single", "local[2]")) {
            Path out = tmp.resolve(master.equals("single") ? "single" : "spark");
            Cli.Result t = run("train", "--data", DATA, "--out", out.toString(), "--master", master, "--arch",
                    "784-8-10", "--epochs", "1", "--limit", "300");
            assertEquals(0, t.code(), t.out() + t.err());
            JsonNode config = Json.JSON.readTree(out.resolve("config.json").toFile());
            assertEquals(DATA, config.path("data").asText(), master + ": " + config);
            assertEquals(300, config.path("limit").asInt(), master + ": " + config);

            Cli.Result r = run("report", "--run", out.toString());
            assertEquals(0, r.code(), r.out() + r.err());
            String html = Files.readString(out.resolve("report.html"));
            assertTrue(html.contains("<tr><td>data</td><td>" + DATA + "</td></tr>"), master + ": " + html);
            assertTrue(html.contains("<tr><td>limit</td><td>300</td></tr>"), master + ": " + html);
        }
    }

    @Test
    void aRunsReportShowsItsCurvesAndTheConfusionMatrixRenderedByABrowser() throws Exception {
        Path out = tmp.resolve("run");
        Cli.Result t = run("train", "--data", DATA, "--out", out.toUri().toString(), "--master", "local[2]",
                "--arch", "784-16-10", "--epochs", "3", "--limit", "1000", "--partitions", "2");
        assertEquals(0, t.code(), t.out() + t.err());
        // counted on the executors: the 10,000 test examples (7.8 MB) never reach the driver
        Cli.Result r = TestSpark.withResultsUnder1MiB(() -> run("report", "--run", out.toUri().toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("confusion matrix of 10,000 test examples"), r.out());
        String html = Files.readString(out.resolve("report.html"));
        assertSelfContained(html);
        // the confusion matrix: 10 x 10 counts that add up to the test set, its diagonal the accuracy
        Matcher m = Pattern.compile("<table class=\"confusion\".*?</table>", Pattern.DOTALL).matcher(html);
        assertTrue(m.find(), "a confusion matrix");
        List<Long> cells = new ArrayList<>();
        Matcher td = Pattern.compile("<td[^>]*>(\\d+)</td>").matcher(m.group());
        while (td.find()) {
            cells.add(Long.parseLong(td.group(1)));
        }
        assertEquals(100, cells.size());
        assertEquals(10_000L, cells.stream().mapToLong(Long::longValue).sum());
        long diagonal = 0;
        for (int i = 0; i < 10; i++) {
            diagonal += cells.get(i * 11);
        }
        double accuracy = TrainCliTest.lines(out.resolve("metrics.jsonl"), "epoch").get(2).get("test_accuracy")
                .asDouble();
        assertEquals(accuracy, diagonal / 10_000.0, 1e-9, "the matrix agrees with the run's test accuracy");

        List<String> canvases = rendered(out.resolve("report.html"), 4);
        for (String name : List.of("loss", "accuracy", "rounds", "recall")) {
            assertTrue(canvases.stream().anyMatch(c -> c.contains("data-chart=\"" + name + "\"")), name + ": " + canvases);
        }
    }

    @Test
    void aSweepsReportShowsTheLeaderboardRenderedByABrowser() throws Exception {
        Path spec = tmp.resolve("s.yaml");
        Files.writeString(spec, """
                base: {arch: 784-10-10, epochs: 2, batch: 50}
                parameters:
                  lr: {log-uniform: [1.0e-3, 1.0e-1]}
                  optimizer: {choice: [sgd, adam]}
                trials: 4
                """);
        Path out = tmp.resolve("sweep");
        Cli.Result s = run("sweep", "--spec", spec.toString(), "--data", DATA, "--out", out.toString(),
                "--master", "local[2]", "--limit", "800");
        assertEquals(0, s.code(), s.out() + s.err());
        Cli.Result r = run("report", "--sweep", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String html = Files.readString(out.resolve("report.html"));
        assertSelfContained(html);
        assertTrue(html.contains("Leaderboard"), "a leaderboard table");
        assertEquals(4, Pattern.compile("<td>t00\\d</td>").matcher(html).results().count(), "4 trials in the table");
        List<String> canvases = rendered(out.resolve("report.html"), 3);
        assertTrue(canvases.stream().anyMatch(c -> c.contains("data-chart=\"leaderboard\"") && c.contains("data-points=\"4\"")),
                canvases.toString());
        assertTrue(canvases.stream().anyMatch(c -> c.contains("data-chart=\"curves\"") && c.contains("data-points=\"8\"")),
                "4 trials × 2 epochs: " + canvases);
    }

    @Test
    void missingDirectoriesAreUsageErrors() {
        assertRefused(run("report", "--run", tmp.resolve("none").toString()), Main.EXIT_USAGE, "run", "none",
                "not found");
        assertRefused(run("report", "--sweep", tmp.toString()), Main.EXIT_USAGE, "sweep", "leaderboard.json");
        assertRefused(run("report"), Main.EXIT_USAGE, "--run", "--sweep");
    }

    private static void assertSelfContained(String html) {
        assertTrue(html.contains("Chart.js " + HtmlReport.chartJsVersion()), "the library inlined");
        assertFalse(Pattern.compile("<script[^>]+src=|<link[^>]+href=|https?://[^\"\\s]*\\.js").matcher(html).find(),
                "nothing loaded from elsewhere");
    }

    /**
     * Opens the page in headless Chromium and returns its canvases from the DOM after the scripts
     * ran, asserting that {@code expected} charts were all drawn with points and painted pixels.
     */
    private List<String> rendered(Path page, int expected) throws Exception {
        Optional<Path> chromium = chromium();
        if (chromium.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("chromium is not installed; under CI the report's browser test must run (.ci/run installs it)");
            }
            Assumptions.abort("chromium is not installed (apt-get install chromium); the browser check is skipped");
        }
        Path profile = Files.createDirectories(tmp.resolve("chromium-profile"));
        Process p = new ProcessBuilder(chromium.get().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
                "--virtual-time-budget=5000", "--dump-dom", page.toUri().toString())
                .redirectError(tmp.resolve("chromium.err").toFile()).start();
        byte[] dom = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium finished");
        String text = new String(dom, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("chromium.err")));
        assertTrue(text.contains("data-charts-rendered=\"" + expected + "/" + expected + "\""),
                "every chart drawn: " + CANVAS.matcher(text).results().map(java.util.regex.MatchResult::group).toList()
                        + Files.readString(tmp.resolve("chromium.err")));
        List<String> canvases = CANVAS.matcher(text).results().map(java.util.regex.MatchResult::group).toList();
        assertEquals(expected, canvases.size());
        for (String c : canvases) {
            assertTrue(c.contains("data-rendered=\"true\""), c);
            Matcher painted = Pattern.compile("data-painted-pixels=\"(\\d+)\"").matcher(c);
            assertTrue(painted.find() && Integer.parseInt(painted.group(1)) > 2000, "painted: " + c);
        }
        return canvases;
    }

    static Optional<Path> chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }
}
