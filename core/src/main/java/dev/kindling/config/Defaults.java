package dev.kindling.config;

/** Every job default, defined once. */
public final class Defaults {
    public static final String ARCH = "784-100-10";
    public static final String INIT = "he";
    public static final String OPTIMIZER = "adam";
    public static final String SCHEDULE = "constant";
    public static final int BATCH = 100;
    public static final int EPOCHS = 10;
    public static final long SEED = 1;
    public static final String BACKEND = "auto";
    /** An embedded Spark on every core; inside spark-submit, the master it was given. */
    public static final String MASTER = "local[*]";
    public static final String MODE = "sync";
    public static final int LOCAL_STEPS = 5;
    public static final int DIVERGENCE_RETRIES = 0;

    private Defaults() {
    }
}
