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

    private Masters() {
    }

    /** Refuses a master that is neither {@code single} nor one Spark knows, naming it. */
    public static void check(String master) {
        if (master == null || !(SINGLE.equals(master) || SPARK.matcher(master).matches())) {
            throw new UsageException("master: unknown value \"" + master + "\" (expected single, local, local[N], "
                    + "local[*], spark://HOST:PORT, yarn or k8s://URL)");
        }
    }
}
