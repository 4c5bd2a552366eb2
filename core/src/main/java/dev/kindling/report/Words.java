package dev.kindling.report;

/** Counts in the words of the console lines. */
public final class Words {
    private Words() {
    }

    /** {@code n} and the noun, plural but for one: "1 epoch", "10 epochs". */
    public static String count(long n, String noun) {
        return String.format(java.util.Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }
}
