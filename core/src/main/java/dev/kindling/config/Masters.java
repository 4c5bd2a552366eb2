package dev.kindling.config;

import dev.kindling.UsageException;
import java.util.regex.Pattern;

/**
 * The {@code --master} values Kindling runs on, checked before anything is read so that a typo is
 * a usage error whether or not the Spark trainer is on the class path.
 */
public final class Masters {
    public static final String SINGLE = "single";
    private static final Pattern SPARK = Pattern.compile(
            "local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?])?|local-cluster\\[[0-9, ]+]|spark://.+|yarn|k8s://.+|mesos://.+");

    /** The masters Spark runs on, as messages list them. */
    private static final String SPARK_MASTERS = "local, local[N], local[*], spark://HOST:PORT, yarn or k8s://URL";

    private Masters() {
    }

    /** Refuses a master that is neither {@code single} nor one Spark knows, naming it. */
    public static void check(String master) {
        if (master == null || !(SINGLE.equals(master) || SPARK.matcher(master).matches())) {
            throw new UsageException("master: unknown value \"" + master + "\" (expected single, " + SPARK_MASTERS + ")");
        }
    }

    /**
     * Refuses a master {@code command} cannot run on: it runs on Spark only, so {@code single},
     * which only train and evaluate take, is refused too, and the masters listed are Spark's.
     */
    public static void checkSpark(String master, String command) {
        if (SINGLE.equals(master)) {
            throw new UsageException("master: --master single runs train and evaluate only; " + command
                    + " needs a Spark master (expected " + SPARK_MASTERS + ")");
        }
        if (master == null || !SPARK.matcher(master).matches()) {
            throw new UsageException("master: unknown value \"" + master + "\" (expected " + SPARK_MASTERS + ")");
        }
    }
}
