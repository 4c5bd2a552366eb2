package dev.kindling.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.config.JobConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepSpecTest {
    @TempDir
    Path tmp;

    static SweepSpec parse(String yaml) {
        return SweepSpec.parse("s.yaml", yaml.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void logUniformCoversEveryDecadeAlike() {
        Distribution.LogUniform d = Distribution.LogUniform.between(1e-6, 1e-2);
        SplittableRandom r = new SplittableRandom(3);
        int[] decades = new int[4];
        for (int i = 0; i < 40_000; i++) {
            double v = d.sample(r);
            assertTrue(v >= 1e-6 && v <= 1e-2, "in range: " + v);
            decades[(int) Math.floor(Math.log10(v)) + 6]++;
        }
        for (int n : decades) {
            assertEquals(10_000, n, 400, "each decade a quarter of the draws");
        }
    }

    @Test
    void randomTrialsAreFixedBySeedAndDoNotDependOnTheTrialCount() {
        String yaml = """
                base: {arch: 784-20-10, epochs: 3}
                parameters:
                  lr: {log-uniform: [1.0e-4, 1.0e-1]}
                  optimizer: {choice: [sgd, adam]}
                  dropout: {uniform: [0.0, 0.5]}
                trials: 5
                seed: 4
                """;
        List<SweepSpec.Point> five = parse(yaml).points();
        List<SweepSpec.Point> three = parse(yaml.replace("trials: 5", "trials: 3")).points();
        assertEquals(5, five.size());
        assertEquals(five.subList(0, 3), three);
        assertNotEquals(five, parse(yaml.replace("seed: 4", "seed: 5")).points());
        JobConfig c = parse(yaml).config(five.get(1));
        assertEquals(five.get(1).values().get("lr"), c.lr());
        assertEquals(five.get(1).values().get("optimizer"), c.optimizer());
        assertEquals("784-20-10", c.arch());
        assertEquals(3, c.epochs());
        assertEquals("t002", five.get(1).id());
    }

    @Test
    void aGridTakesEveryCombinationTheLastParameterFastest() throws Exception {
        Files.writeString(tmp.resolve("base.yaml"), "arch: 784-30-10\nbatch: 64\n");
        Path spec = tmp.resolve("grid.yaml");
        Files.writeString(spec, """
                base: base.yaml
                parameters:
                  optimizer: {choice: [sgd, adam]}
                  batch: {choice: [32, 64, 128]}
                method: grid
                """);
        SweepSpec s = SweepSpec.read(spec);
        List<SweepSpec.Point> points = s.points();
        assertEquals(6, points.size());
        assertEquals(Map.of("optimizer", "sgd", "batch", 32), points.get(0).values());
        assertEquals(Map.of("optimizer", "sgd", "batch", 64), points.get(1).values());
        assertEquals(Map.of("optimizer", "adam", "batch", 128), points.get(5).values());
        assertEquals(128, s.config(points.get(5)).batch());
        assertEquals("784-30-10", s.config(points.get(5)).arch(), "the base file, relative to the spec");
    }

    @Test
    void halvingRungsEndAtTheEpochsAndKeepATopShare() {
        SweepSpec.Halving h = new SweepSpec.Halving(3, 1);
        assertEquals(List.of(1, 3, 9), h.rungs(9));
        assertEquals(List.of(1, 3, 9, 10), h.rungs(10));
        assertEquals(List.of(2, 4), new SweepSpec.Halving(2, 2).rungs(4));
        assertEquals(9, h.survivors(27));
        assertEquals(1, h.survivors(2));
    }

    @Test
    void badSpecsNameTheFieldAndValue() {
        KindlingException e = assertThrows(KindlingException.class,
                () -> parse("parameters:\n  lr: {choice: [0.1]}\nmethod: bayes\n"));
        assertTrue(e.getMessage().contains("method") && e.getMessage().contains("bayes"), e.getMessage());
        e = assertThrows(KindlingException.class, () -> parse("parameters:\n  lr: {choice: [fast]}\n"));
        assertTrue(e.getMessage().contains("lr") && e.getMessage().contains("fast"), e.getMessage());
        e = assertThrows(KindlingException.class, () -> parse("parameters: {}\n"));
        assertTrue(e.getMessage().contains("parameters"), e.getMessage());
        e = assertThrows(KindlingException.class,
                () -> parse("parameters:\n  epochs: {choice: [1, 2]}\nhalving: {eta: 2}\n"));
        assertTrue(e.getMessage().contains("parameters.epochs"), e.getMessage());
        e = assertThrows(KindlingException.class, () -> parse("parameters:\n  lr: {choice: [0.1]}\ntrials: 0\n"));
        assertTrue(e.getMessage().contains("trials") && e.getMessage().contains("0"), e.getMessage());
    }
}
