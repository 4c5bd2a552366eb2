package dev.kindling.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.config.Defaults;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What README.md says of the commands' defaults is what the commands do. */
class ReadmeTest {
    static final Path README = Path.of("..", "README.md");

    @Test
    void evaluatesMasterDefaultIsTheOneItsHelpGives() throws Exception {
        String help = String.join(" ", new CommandLine(new EvaluateCommand()).getCommandSpec()
                .findOption("--master").description());
        String rule = "single for a local IDX directory, else " + Defaults.MASTER;
        assertTrue(help.contains("Default: " + rule), help);
        String readme = Files.readString(README).replace("`", "").replaceAll("\\s+", " ");
        assertTrue(readme.contains("evaluate") && readme.contains("default: " + rule), "README.md should say of "
                + "evaluate \"default: " + rule + "\"");
        assertFalse(readme.contains("reads these on Spark (default local[*])"), "README.md: evaluate's default");
    }
}
