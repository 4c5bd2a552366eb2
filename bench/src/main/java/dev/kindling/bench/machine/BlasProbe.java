package dev.kindling.bench.machine;

/**
 * Loads the OpenBLAS of whichever JavaCPP preset is on the classpath and exits; run with
 * {@code OPENBLAS_VERBOSE=2}, OpenBLAS prints "Core: NAME", the kernels it chose for this CPU
 * under the current {@code OPENBLAS_CORETYPE}. {@code scripts/bench} runs it on Kindling's
 * classpath and on DL4J's, whose preset (JavaCPP 1.5.7) has no call that would say.
 * Reflection only, so it runs against either preset version.
 */
public final class BlasProbe {

    private BlasProbe() {
    }

    public static void main(String[] args) throws Exception {
        Class<?> preset = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
        Class<?> loader = Class.forName("org.bytedeco.javacpp.Loader");
        loader.getMethod("load", Class.class).invoke(null, preset);
        System.out.println("JavaCPP " + loader.getMethod("getVersion").invoke(null));
    }
}
