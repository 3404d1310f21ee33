package dev.gpuop.gpu.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.gpuop.gpu.DriverLibraries;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * The seed tutorial's last step, in-process: the CUDA sample vectorAdd through the driver API. It proves that the
 * driver loads, a context opens, PTX JIT-compiles, memory moves both ways and a kernel runs, and it prints the
 * sample's lines so that people and scripts that grep for {@code Test PASSED} keep working.
 * CUDA contexts are bound to the OS thread, so one call runs start to end on the caller's (platform) thread.
 */
public final class CudaVectorAdd {

    /** The sample's size. */
    public static final int DEFAULT_ELEMENTS = 50_000;
    private static final int THREADS_PER_BLOCK = 256;
    private static final int JIT_LOG_BYTES = 4096;
    private static final int CU_JIT_ERROR_LOG_BUFFER = 5;
    private static final int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

    private final CudaDriver cuda;

    private CudaVectorAdd(CudaDriver cuda) {
        this.cuda = cuda;
    }

    /** Loads {@code libcuda.so.1}; throws {@link dev.gpuop.gpu.DriverLibraryNotFoundException} naming the paths. */
    public static CudaVectorAdd load(DriverLibraries libraries) {
        return new CudaVectorAdd(CudaDriver.load(libraries));
    }

    /** How many GPUs CUDA sees here (a GPU in MIG mode is not one of them). */
    public int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            check("cuInit", invoke(() -> (int) cuda.init.invokeExact(0)));
            MemorySegment n = arena.allocate(JAVA_INT);
            check("cuDeviceGetCount", invoke(() -> (int) cuda.deviceGetCount.invokeExact(n)));
            return n.get(JAVA_INT, 0);
        }
    }

    /**
     * Runs the vector add on one GPU and prints the sample's lines to {@code out}.
     *
     * @throws CudaException naming the failing call and CUDA's error name
     */
    public VectorAddResult run(int ordinal, int elements, long seed, PrintWriter out) {
        out.println("[Vector addition of " + elements + " elements]");
        out.flush();
        float[] a = random(elements, seed);
        float[] b = random(elements, seed + 1);
        int blocks = (elements + THREADS_PER_BLOCK - 1) / THREADS_PER_BLOCK;
        try (Arena arena = Arena.ofConfined()) {
            check("cuInit", invoke(() -> (int) cuda.init.invokeExact(0)));
            MemorySegment dev = arena.allocate(JAVA_INT);
            check("cuDeviceGet", invoke(() -> (int) cuda.deviceGet.invokeExact(dev, ordinal)));
            int device = dev.get(JAVA_INT, 0);
            String name = deviceName(arena, device);
            MemorySegment ctx = arena.allocate(ADDRESS);
            check("cuDevicePrimaryCtxRetain", invoke(() -> (int) cuda.primaryCtxRetain.invokeExact(ctx, device)));
            try {
                MemorySegment context = ctx.get(ADDRESS, 0);
                check("cuCtxSetCurrent", invoke(() -> (int) cuda.ctxSetCurrent.invokeExact(context)));
                float[] c = onDevice(arena, a, b, blocks, out);
                int first = VectorAddCheck.firstMismatch(a, b, c);
                int bad = first < 0 ? 0 : VectorAddCheck.mismatches(a, b, c);
                if (bad == 0) {
                    out.println("Test PASSED");
                } else {
                    out.println("Result verification failed at element " + first + "!");
                }
                out.println("Done");
                return new VectorAddResult(name, elements, blocks, THREADS_PER_BLOCK, first, bad);
            } finally {
                cuda.check("cuDevicePrimaryCtxRelease_v2",
                    invoke(() -> (int) cuda.primaryCtxRelease.invokeExact(device)));
            }
        }
    }

    private float[] onDevice(Arena arena, float[] a, float[] b, int blocks, PrintWriter out) {
        int n = a.length;
        long bytes = (long) n * Float.BYTES;
        MemorySegment module = loadModule(arena);
        long[] ptrs = new long[3];
        try {
            MemorySegment fn = arena.allocate(ADDRESS);
            check("cuModuleGetFunction",
                invoke(() -> (int) cuda.moduleGetFunction.invokeExact(fn, module, arena.allocateFrom("vadd"))));
            for (int i = 0; i < 3; i++) {
                ptrs[i] = alloc(arena, bytes);
            }
            out.println("Copy input data from the host memory to the CUDA device");
            copyIn(arena, ptrs[0], a);
            copyIn(arena, ptrs[1], b);
            out.println("CUDA kernel launch with " + blocks + " blocks of " + THREADS_PER_BLOCK + " threads");
            launch(arena, fn.get(ADDRESS, 0), blocks, ptrs, n);
            check("cuCtxSynchronize", invoke(() -> (int) cuda.ctxSynchronize.invokeExact()));
            out.println("Copy output data from the CUDA device to the host memory");
            MemorySegment host = arena.allocate(JAVA_FLOAT, n);
            long src = ptrs[2];
            check("cuMemcpyDtoH_v2", invoke(() -> (int) cuda.memcpyDtoH.invokeExact(host, src, bytes)));
            return host.toArray(JAVA_FLOAT);
        } finally {
            for (long p : ptrs) {
                if (p != 0) {
                    cuda.check("cuMemFree_v2", invoke(() -> (int) cuda.memFree.invokeExact(p)));
                }
            }
            cuda.check("cuModuleUnload", invoke(() -> (int) cuda.moduleUnload.invokeExact(module)));
        }
    }

    /** Loads the PTX with a JIT error log, so that a JIT failure says what the compiler said. */
    private MemorySegment loadModule(Arena arena) {
        MemorySegment image = arena.allocateFrom(ptx());
        MemorySegment log = arena.allocate(JIT_LOG_BYTES);
        MemorySegment options = arena.allocateFrom(JAVA_INT, CU_JIT_ERROR_LOG_BUFFER,
            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
        MemorySegment values = arena.allocate(ADDRESS, 2);
        values.setAtIndex(ADDRESS, 0, log);
        values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(JIT_LOG_BYTES));
        MemorySegment module = arena.allocate(ADDRESS);
        int rc = invoke(() -> (int) cuda.moduleLoadDataEx.invokeExact(module, image, 2, options, values));
        if (rc != 0) {
            String jit = log.getString(0);
            throw new CudaException("cuModuleLoadDataEx", rc, CudaResults.name(rc), jit.isBlank() ? null : jit);
        }
        return module.get(ADDRESS, 0);
    }

    private void launch(Arena arena, MemorySegment fn, int blocks, long[] ptrs, int n) {
        MemorySegment params = arena.allocate(ADDRESS, 4);
        for (int i = 0; i < 3; i++) {
            params.setAtIndex(ADDRESS, i, arena.allocateFrom(JAVA_LONG, ptrs[i]));
        }
        params.setAtIndex(ADDRESS, 3, arena.allocateFrom(JAVA_INT, n));
        check("cuLaunchKernel", invoke(() -> (int) cuda.launchKernel.invokeExact(fn, blocks, 1, 1,
            THREADS_PER_BLOCK, 1, 1, 0, MemorySegment.NULL, params, MemorySegment.NULL)));
    }

    private long alloc(Arena arena, long bytes) {
        MemorySegment out = arena.allocate(JAVA_LONG);
        check("cuMemAlloc_v2", invoke(() -> (int) cuda.memAlloc.invokeExact(out, bytes)));
        return out.get(JAVA_LONG, 0);
    }

    private void copyIn(Arena arena, long dst, float[] values) {
        MemorySegment host = arena.allocateFrom(JAVA_FLOAT, values);
        long bytes = host.byteSize();
        check("cuMemcpyHtoD_v2", invoke(() -> (int) cuda.memcpyHtoD.invokeExact(dst, host, bytes)));
    }

    private String deviceName(Arena arena, int device) {
        MemorySegment buf = arena.allocate(256);
        check("cuDeviceGetName", invoke(() -> (int) cuda.deviceGetName.invokeExact(buf, 256, device)));
        return buf.getString(0);
    }

    private void check(String call, int rc) {
        cuda.check(call, rc);
    }

    /** The embedded PTX, as shipped in the jar. */
    static String ptx() {
        try (InputStream in = CudaVectorAdd.class.getResourceAsStream("vadd.ptx")) {
            if (in == null) {
                throw new IllegalStateException("vadd.ptx is missing from the jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }

    /** A downcall that returns a CUresult. */
    @FunctionalInterface
    private interface Call {
        int run() throws Throwable;
    }

    private static int invoke(Call call) {
        try {
            return call.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw CudaDriver.unexpected("a CUDA downcall", t);
        }
    }
}
