package dev.kindling.backend;

import dev.kindling.KindlingException;
import java.lang.ref.Cleaner;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * GEMM on an NVIDIA GPU through cuBLAS (the JavaCPP CUDA preset, whose non-redist jar links
 * against the machine's own CUDA 13 libraries).
 *
 * <p>What crosses the bus: the network's flat parameter vector once per forward pass (told by
 * {@link #beginPass}; a sync round computes one pass per task, so once per round), and then,
 * per GEMM, only the operands that are not parameters (the batch's activations) and the result.
 * Device buffers (the parameter copy and the operand workspace) and a pinned host staging buffer
 * are kept for the backend's life and grow to the largest operands seen, so nothing is allocated
 * per call once the first pass has run.
 *
 * <p>Everything else of a layer (activations, pooling, im2col, the optimizer) stays on the CPU;
 * for small layers the transfers cost more than the GEMM saves, which is why {@code auto} picks
 * this backend only where a Spark task was given a GPU. Convolution runs as im2col on the CPU
 * and its GEMM here; cuDNN is not used.
 *
 * <p>The math mode is cuBLAS's default, full FP32 (no TF32 tensor-op rounding), so results match
 * the CPU backends within float rounding. One instance per thread, as every backend; each call
 * makes its device current on the calling thread first.
 */
public final class CudaBackend implements Backend {

    private static final String UNAVAILABLE_REASON;
    private static final String LIBRARY;
    private static final int DEVICES;
    private static final Cleaner CLEANER = Cleaner.create();

    static {
        String reason = null;
        String library = null;
        int devices = 0;
        try {
            int[] count = {0};
            int status = cudart.cudaGetDeviceCount(count);
            int[] driver = {0};
            int[] runtime = {0};
            cudart.cudaDriverGetVersion(driver);
            cudart.cudaRuntimeGetVersion(runtime);
            library = "CUDA runtime " + version(runtime[0]) + ", driver " + version(driver[0]);
            if (status != cudart.cudaSuccess) {
                reason = "cudaGetDeviceCount: " + cudart.cudaGetErrorString(status).getString() + " (" + library + ")";
            } else if (count[0] == 0) {
                reason = "no CUDA device visible (" + library + ")";
            } else {
                devices = count[0];
                cublasContext probe = new cublasContext();
                check(cublas.cublasCreate_v2(probe), "cublasCreate");
                cublas.cublasDestroy_v2(probe);
            }
        } catch (Throwable t) {
            // missing CUDA libraries, no driver, another platform: the caller runs on the CPU,
            // and the reason tells the user why
            reason = t instanceof UnsatisfiedLinkError
                    ? "the CUDA libraries did not load (" + linkFailure(t) + "; a CUDA 13 driver, "
                    + "and libcudart.so.13 and libcublas.so.13 on the library path, are needed)"
                    : t.getClass().getName() + ": " + t.getMessage();
        }
        UNAVAILABLE_REASON = reason;
        LIBRARY = library;
        DEVICES = devices;
    }

    private final int device;
    private final Buffers buffers;
    private float[] parameters;
    private boolean parametersStale = true;

    /**
     * A backend on CUDA device {@code device} (an index as {@code cudaSetDevice} takes it, which
     * is what Spark's GPU discovery script reports as the address).
     *
     * @throws KindlingException where CUDA is not available or there is no such device
     */
    public CudaBackend(int device) {
        if (UNAVAILABLE_REASON != null) {
            throw new KindlingException("backend: CUDA is not available: " + UNAVAILABLE_REASON);
        }
        if (device < 0 || device >= DEVICES) {
            throw new KindlingException("backend: CUDA device " + device + " does not exist (this machine has "
                    + DEVICES + ": 0 to " + (DEVICES - 1) + ")");
        }
        this.device = device;
        check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        this.buffers = new Buffers(device);
        check(cublas.cublasCreate_v2(buffers.handle), "cublasCreate");
        check(cublas.cublasSetMathMode(buffers.handle, cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        CLEANER.register(this, buffers);
    }

    /** Whether CUDA and cuBLAS load and at least one device is visible. Never throws. */
    public static boolean isAvailable() {
        return UNAVAILABLE_REASON == null;
    }

    /** Why CUDA is not available, or null where it is. */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** The CUDA runtime and driver versions, or null where the library did not load. */
    public static String library() {
        return LIBRARY;
    }

    /** The number of CUDA devices visible to this process (0 where CUDA is unavailable). */
    public static int deviceCount() {
        return DEVICES;
    }

    @Override
    public void beginPass(float[] parameters) {
        this.parameters = parameters;
        this.parametersStale = true;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (GemmArgs.checkedAndTrivial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc)) {
            return;
        }
        check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        // workspace: [A staged][B staged][C], each only where it is not a parameter view
        long aSize = a == parameters ? 0 : Staging.size(aRows, aCols, lda);
        long bSize = b == parameters ? 0 : Staging.size(bRows, bCols, ldb);
        long cSize = (long) m * n;
        buffers.ensureWorkspace(aSize + bSize + cSize);
        buffers.ensureStaging(Math.max(Math.max(aSize, bSize), cSize));

        Operand opA = place(a, aOff, aRows, aCols, lda, 0);
        Operand opB = place(b, bOff, bRows, bCols, ldb, aSize);
        FloatPointer dC = buffers.workspaceAt(aSize + bSize);
        if (beta != 0f) {
            Staging.rowsIn(c, cOff, m, n, ldc, buffers.staging);
            upload(dC, buffers.staging, cSize);
        }
        // row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: the same memory read the
        // other way round, so the operands swap and keep their own transposition flags
        buffers.alpha.put(0, alpha);
        buffers.beta.put(0, beta);
        check(cublas.cublasSgemm_v2(buffers.handle,
                transB ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N,
                transA ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N,
                n, m, k, buffers.alpha, opB.pointer, opB.ld, opA.pointer, opA.ld, buffers.beta, dC, n), "cublasSgemm");
        download(buffers.staging, dC, cSize);
        Staging.rowsOut(buffers.staging, m, n, c, cOff, ldc);
    }

    private record Operand(FloatPointer pointer, int ld) {
    }

    /** The device address of an operand: inside the parameter copy, or staged into the workspace. */
    private Operand place(float[] x, int off, int rows, int cols, int ld, long workspaceOffset) {
        if (x == parameters) {
            if (parametersStale) {
                buffers.ensureParameters(parameters.length);
                buffers.ensureStaging(parameters.length);
                buffers.staging.position(0).put(parameters, 0, parameters.length).position(0);
                upload(buffers.parametersAt(0), buffers.staging, parameters.length);
                parametersStale = false;
            }
            return new Operand(buffers.parametersAt(off), ld);
        }
        int stagedLd = Staging.in(x, off, rows, cols, ld, buffers.staging);
        FloatPointer dst = buffers.workspaceAt(workspaceOffset);
        upload(dst, buffers.staging, Staging.size(rows, cols, ld));
        return new Operand(dst, stagedLd);
    }

    private static void upload(FloatPointer device, FloatPointer host, long floats) {
        check(cudart.cudaMemcpy(device, host.position(0), floats * Float.BYTES, cudart.cudaMemcpyHostToDevice),
                "cudaMemcpy to the device");
    }

    private static void download(FloatPointer host, FloatPointer device, long floats) {
        check(cudart.cudaMemcpy(host.position(0), device, floats * Float.BYTES, cudart.cudaMemcpyDeviceToHost),
                "cudaMemcpy from the device");
    }

    static void check(int status, String what) {
        if (status != 0) {
            String text;
            try {
                text = what.startsWith("cublas") ? cublas.cublasGetStatusString(status).getString()
                        : cudart.cudaGetErrorString(status).getString();
            } catch (Throwable t) {
                text = "status " + status;
            }
            throw new KindlingException("backend cuda: " + what + " failed: " + text + " (" + status + ")");
        }
    }

    /**
     * What the dynamic loader said: JavaCPP reports "no jnicudart in java.library.path: DIRS"
     * and keeps the loader's own error ("…/libjnicudart.so: libcuda.so.1: cannot open shared
     * object file") as the cause; this keeps the library that was missing, not the directories.
     */
    static String linkFailure(Throwable t) {
        Throwable deepest = t;
        while (deepest.getCause() != null) {
            deepest = deepest.getCause();
        }
        String message = String.valueOf(deepest.getMessage());
        int so = message.indexOf(".so: ");
        if (deepest != t && so >= 0) {
            return message.substring(so + ".so: ".length());
        }
        String marker = " in java.library.path";
        int at = message.indexOf(marker);
        return at < 0 ? message : message.substring(0, at + marker.length());
    }

    private static String version(int v) {
        return v == 0 ? "none" : (v / 1000) + "." + (v % 1000 / 10);
    }

    /** Pinned host staging plus device memory: only the host side counts against the JVM's process. */
    @Override
    public long nativeBytes() {
        return (long) Float.BYTES * buffers.stagingCapacity;
    }

    /** Device memory this backend holds: the parameter copy and the operand workspace. */
    public long deviceBytes() {
        return (long) Float.BYTES * (buffers.parametersCapacity + buffers.workspaceCapacity);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String toString() {
        return "cuda (device " + device + ", " + LIBRARY + ")";
    }

    /**
     * The native resources, apart from the backend so that a Cleaner can free them once the
     * backend is unreachable (backends have no close: they live as long as their thread's network).
     */
    private static final class Buffers implements Runnable {
        final int device;
        final cublasContext handle = new cublasContext();
        final FloatPointer alpha = new FloatPointer(1);
        final FloatPointer beta = new FloatPointer(1);
        FloatPointer staging = new FloatPointer((Pointer) null);
        long stagingCapacity;
        FloatPointer params = new FloatPointer((Pointer) null);
        long parametersCapacity;
        FloatPointer workspace = new FloatPointer((Pointer) null);
        long workspaceCapacity;

        Buffers(int device) {
            this.device = device;
        }

        void ensureStaging(long floats) {
            if (floats > stagingCapacity) {
                long grown = Math.max(floats, stagingCapacity + stagingCapacity / 2);
                if (stagingCapacity > 0) {
                    cudart.cudaFreeHost(staging);
                }
                Pointer p = new Pointer((Pointer) null);
                check(cudart.cudaMallocHost(p, grown * Float.BYTES),
                        "cudaMallocHost(" + grown * Float.BYTES + " bytes)");
                staging = new FloatPointer(p).capacity(grown).limit(grown);
                stagingCapacity = grown;
            }
        }

        void ensureParameters(long floats) {
            if (floats > parametersCapacity) {
                params = deviceAlloc(params, parametersCapacity, floats);
                parametersCapacity = floats;
            }
        }

        void ensureWorkspace(long floats) {
            if (floats > workspaceCapacity) {
                long grown = Math.max(floats, workspaceCapacity + workspaceCapacity / 2);
                workspace = deviceAlloc(workspace, workspaceCapacity, grown);
                workspaceCapacity = grown;
            }
        }

        // Device addresses are computed here, with position 0, rather than left to a position:
        // how a position counts where a parameter is declared void* is not the same everywhere.
        FloatPointer parametersAt(long offset) {
            return params.getPointer(offset);
        }

        FloatPointer workspaceAt(long offset) {
            return workspace.getPointer(offset);
        }

        private static FloatPointer deviceAlloc(FloatPointer old, long oldCapacity, long floats) {
            if (oldCapacity > 0) {
                cudart.cudaFree(old);
            }
            Pointer p = new Pointer((Pointer) null);
            check(cudart.cudaMalloc(p, floats * Float.BYTES), "cudaMalloc(" + floats * Float.BYTES + " bytes)");
            return new FloatPointer(p).capacity(floats).limit(floats);
        }

        @Override
        public void run() {
            cudart.cudaSetDevice(device);
            if (stagingCapacity > 0) {
                cudart.cudaFreeHost(staging);
            }
            if (parametersCapacity > 0) {
                cudart.cudaFree(params);
            }
            if (workspaceCapacity > 0) {
                cudart.cudaFree(workspace);
            }
            cublas.cublasDestroy_v2(handle);
            alpha.close();
            beta.close();
        }
    }
}
