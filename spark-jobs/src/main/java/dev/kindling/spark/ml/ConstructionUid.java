package dev.kindling.spark.ml;

/**
 * The uid of a stage under construction. Spark ML's Scala parents create their params
 * (featuresCol, labelCol, ...) in their constructors, and each param records its owner's
 * {@code uid()} there; a Scala stage has its uid by then, a Java subclass's field is still
 * unset. So the subclass constructor hands the uid in here, in the argument list of its
 * {@code this(...)} call, before the parents run, and {@code uid()} falls back to it.
 */
public final class ConstructionUid {
    private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

    private ConstructionUid() {
    }

    /** Call in the arguments of {@code this(...)}; returns its argument for the real constructor. */
    static String begin(String uid) {
        PENDING.set(uid);
        return uid;
    }

    /** The uid of the stage being built on this thread. */
    static String pending() {
        return PENDING.get();
    }

    static void end() {
        PENDING.remove();
    }
}
