package dev.kindling.bench.kernels;

import java.util.Locale;

/**
 * The GEMM calls the training networks make, by name: row-major C(m×n) = op(A)·op(B) + beta·C
 * with op(A) m×k and op(B) k×n, exactly as {@link dev.kindling.backend.Backend#gemm} takes them.
 * Each carries the beta its layer passes, since with beta ≠ 0 a backend also reads C.
 */
public enum GemmShape {
    /** MLP Dense 784→100 forward, batch 100: y(100×100) = x(100×784)·W(784×100) + bias. */
    MLP_FWD("mlp-fwd", 100, 100, 784, false, false, 1f, "MLP 784-100 forward, batch 100"),
    /** MLP backward, weight gradient: dW(784×100) = xᵀ·dy, x stored 100×784. */
    MLP_DW("mlp-dW", 784, 100, 100, true, false, 0f, "MLP 784-100 backward dW = xT·dy (transA)"),
    /** MLP backward, input gradient: dx(100×784) = dy(100×100)·Wᵀ, W stored 784×100. */
    MLP_DX("mlp-dx", 100, 784, 100, false, true, 0f, "MLP 784-100 backward dx = dy·WT (transB)"),
    /** A wider Dense forward, batch 256: 256×784 times 784×256. */
    WIDE_FWD("wide-fwd", 256, 256, 784, false, false, 1f, "Dense 784-256 forward, batch 256"),
    /**
     * The benchmark CNN's conv 5×5×20 on 1×28×28, batch 100, whose 100 unfolded images lie side
     * by side: W(20×25)·col(25×57600).
     */
    CONV5_FWD("conv5-fwd", 20, 100 * 576, 25, false, false, 0f, "CNN conv 5x5x20 forward, batch 100"),
    /** Its weight gradient over the batch: dW(20×25) = dy(20×57600)·colᵀ. */
    CONV5_DW("conv5-dW", 20, 25, 100 * 576, false, true, 0f, "CNN conv 5x5x20 backward dW (transB), batch 100"),
    /** Its column gradient over the batch: dcol(25×57600) = Wᵀ·dy. */
    CONV5_DCOL("conv5-dcol", 25, 100 * 576, 20, true, false, 0f,
            "CNN conv 5x5x20 backward dcol (transA), batch 100"),
    /** configs/cnn.yaml conv 3×3×32, padding 1, on 1×28×28, batch 100: W(32×9)·col(9×78400). */
    CNN1_FWD("cnn1-fwd", 32, 100 * 784, 9, false, false, 0f, "configs/cnn.yaml conv1 3x3x32 forward, batch 100"),
    /** configs/cnn.yaml conv 3×3×64, padding 1, on 32×14×14, batch 100: W(64×288)·col(288×19600). */
    CNN2_FWD("cnn2-fwd", 64, 100 * 196, 288, false, false, 0f, "configs/cnn.yaml conv2 3x3x64 forward, batch 100"),
    /** The square reference shape. */
    SQUARE_1024("square-1024", 1024, 1024, 1024, false, false, 0f, "1024 cubed");

    private final String id;
    private final int m;
    private final int n;
    private final int k;
    private final boolean transA;
    private final boolean transB;
    private final float beta;
    private final String description;

    GemmShape(String id, int m, int n, int k, boolean transA, boolean transB, float beta, String description) {
        this.id = id;
        this.m = m;
        this.n = n;
        this.k = k;
        this.transA = transA;
        this.transB = transB;
        this.beta = beta;
        this.description = description;
    }

    public static GemmShape byId(String id) {
        for (GemmShape s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown GEMM shape \"" + id + "\"");
    }

    public String id() {
        return id;
    }

    public int m() {
        return m;
    }

    public int n() {
        return n;
    }

    public int k() {
        return k;
    }

    public boolean transA() {
        return transA;
    }

    public boolean transB() {
        return transB;
    }

    public float beta() {
        return beta;
    }

    public String description() {
        return description;
    }

    /** Floating-point operations of one call: a multiply and an add per (i, j, l). */
    public double flops() {
        return 2.0 * m * n * k;
    }

    /** "m×n×k" plus the transposes, e.g. "784×100×100 Aᵀ". */
    public String dims() {
        return String.format(Locale.ROOT, "%d×%d×%d%s%s", m, n, k, transA ? " Aᵀ" : "", transB ? " Bᵀ" : "");
    }
}
