package dev.kindling.bench.kernels;

import dev.kindling.backend.Backend;
import dev.kindling.backend.Backends;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GEMM calls per second of one backend, made through {@link Backend#gemm} exactly as the layers
 * make them (views into float[], so the native backend's staging copies are part of the cost).
 * GFLOP/s = score × {@link GemmShape#flops()} / 1e9; {@code scripts/bench} does the arithmetic.
 *
 * <p>The OpenBLAS kernel family is chosen when the library loads, from the environment
 * variable {@code OPENBLAS_CORETYPE}: a forked JVM inherits it from the JMH process, so
 * {@code scripts/bench} runs JMH once per setting.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBenchmark {

    /** "blas" or "java", as {@link Backends#create} names them. */
    @Param({"blas", "java"})
    public String backend;

    /** A {@link GemmShape} id. */
    @Param({"mlp-fwd", "mlp-dW", "mlp-dx", "wide-fwd", "conv5-fwd", "conv5-dW", "conv5-dcol",
            "cnn1-fwd", "cnn2-fwd", "square-1024"})
    public String shape;

    private Backend impl;
    private GemmShape s;
    private float[] a;
    private float[] b;
    private float[] c;
    private int lda;
    private int ldb;

    @Setup
    public void setUp() {
        impl = Backends.create(backend);
        if (!impl.name().equals(backend)) {
            // "java" silently becomes "loop" without the Vector API module; never report that as java.
            throw new IllegalStateException("asked for backend " + backend + " but got " + impl.name());
        }
        s = GemmShape.byId(shape);
        lda = s.transA() ? s.m() : s.k();
        ldb = s.transB() ? s.k() : s.n();
        SplittableRandom rng = new SplittableRandom(42);
        a = random(s.m() * s.k(), rng);
        b = random(s.k() * s.n(), rng);
        c = random(s.m() * s.n(), rng);
    }

    private static float[] random(int size, SplittableRandom rng) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (rng.nextDouble() - 0.5) * 0.1f;
        }
        return x;
    }

    @Benchmark
    public float[] gemm() {
        // With beta = 1, C grows by A·B each call; the values stay finite for any run length
        // JMH makes (|A·B| < k/400 per call), and the cost does not depend on them.
        impl.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(),
                1f, a, 0, lda, b, 0, ldb, s.beta(), c, 0, s.n());
        return c;
    }
}
