package dev.kindling.cli;

/**
 * A subcommand that lives in another module (e.g. Spark's {@code retrain}, {@code predict},
 * {@code sweep}), found with {@link java.util.ServiceLoader} so that the core needs no cluster
 * library. An implementation is a picocli {@code @Command} class with a public no-argument
 * constructor, listed in {@code META-INF/services/dev.kindling.cli.ModuleCommand}; it reports
 * failures as {@link dev.kindling.KindlingException} like the core's commands.
 */
public interface ModuleCommand {
}
