package dev.kindling.cli;

import dev.kindling.Interrupt;
import dev.kindling.KindlingException;
import dev.kindling.UsageException;
import java.io.PrintWriter;
import java.util.ServiceLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code kindling} launcher. Exit codes: 0 success, 1 a failed run (bad data, diverged
 * training, I/O), 2 a bad command line or config, 130 interrupted (Ctrl-C; see {@link Interrupt}).
 */
@Command(name = "kindling", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Train neural networks on one machine or on Apache Spark.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, ExperimentCommand.class, ExportCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        Interrupt.install();
        System.exit(run(args));
    }

    /** Runs the launcher and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        for (ModuleCommand command : ServiceLoader.load(ModuleCommand.class)) {
            cli.addSubcommand(command);
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof Interrupt.Stopped || Interrupt.happened()) {
                // whatever failed once the shutdown began failed because of it
                cmd.getErr().println("kindling: " + (e instanceof Interrupt.Stopped ? e.getMessage() : "interrupted"));
                return Interrupt.EXIT_CODE;
            }
            if (e instanceof KindlingException) {
                cmd.getErr().println("kindling: " + e.getMessage());
                return e instanceof UsageException ? EXIT_USAGE : EXIT_FAILED;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, argv) -> {
            e.getCommandLine().getErr().println("kindling: " + e.getMessage());
            e.getCommandLine().getErr().println("Run 'kindling " + e.getCommandLine().getCommandName()
                    + " --help' for the options.");
            return EXIT_USAGE;
        });
        try {
            return cli.execute(args);
        } finally {
            Interrupt.reported();
        }
    }
}
