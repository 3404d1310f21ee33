package dev.gpuop.gpu.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.gpuop.gpu.DriverLibraries;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The CUDA driver API functions the validator needs ({@code libcuda.so.1}, shipped with the driver, not the toolkit),
 * by their exact exported symbols. {@code CUdevice} is an int, handles are pointers, {@code CUdeviceptr} is a long.
 */
final class CudaDriver {

    static final String SONAME = "libcuda.so.1";
    private static final Linker LINKER = Linker.nativeLinker();

    final MethodHandle init;
    final MethodHandle driverGetVersion;
    final MethodHandle deviceGet;
    final MethodHandle deviceGetCount;
    final MethodHandle deviceGetName;
    final MethodHandle primaryCtxRetain;
    final MethodHandle primaryCtxRelease;
    final MethodHandle ctxSetCurrent;
    final MethodHandle ctxSynchronize;
    final MethodHandle moduleLoadDataEx;
    final MethodHandle moduleUnload;
    final MethodHandle moduleGetFunction;
    final MethodHandle memAlloc;
    final MethodHandle memFree;
    final MethodHandle memcpyHtoD;
    final MethodHandle memcpyDtoH;
    final MethodHandle launchKernel;
    private final MethodHandle getErrorName;

    private CudaDriver(SymbolLookup lib) {
        init = fn(lib, "cuInit", JAVA_INT);
        driverGetVersion = fn(lib, "cuDriverGetVersion", ADDRESS);
        deviceGet = fn(lib, "cuDeviceGet", ADDRESS, JAVA_INT);
        deviceGetCount = fn(lib, "cuDeviceGetCount", ADDRESS);
        deviceGetName = fn(lib, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        primaryCtxRetain = fn(lib, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        primaryCtxRelease = fn(lib, "cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        ctxSetCurrent = fn(lib, "cuCtxSetCurrent", ADDRESS);
        ctxSynchronize = fn(lib, "cuCtxSynchronize");
        moduleLoadDataEx = fn(lib, "cuModuleLoadDataEx", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        moduleUnload = fn(lib, "cuModuleUnload", ADDRESS);
        moduleGetFunction = fn(lib, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        memAlloc = fn(lib, "cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        memFree = fn(lib, "cuMemFree_v2", JAVA_LONG);
        memcpyHtoD = fn(lib, "cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
        memcpyDtoH = fn(lib, "cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        launchKernel = fn(lib, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        getErrorName = fn(lib, "cuGetErrorName", JAVA_INT, ADDRESS);
    }

    /** Loads {@code libcuda.so.1} the way NVML is found. */
    static CudaDriver load(DriverLibraries libraries) {
        return new CudaDriver(libraries.load(SONAME, Arena.global()));
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new CudaException(name, 500,
            "CUDA_ERROR_NOT_FOUND", "symbol missing from " + SONAME + "; the driver is too old for this validator"));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, args));
    }

    /** Fails with the call and the driver's name for the code unless it is success. */
    void check(String call, int rc) {
        if (rc != 0) {
            throw new CudaException(call, rc, errorName(rc), null);
        }
    }

    private String errorName(int rc) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int r = (int) getErrorName.invokeExact(rc, out);
            MemorySegment text = out.get(ADDRESS, 0);
            if (r == 0 && !text.equals(MemorySegment.NULL)) {
                return text.reinterpret(128).getString(0);
            }
        } catch (Throwable ignored) {
            // fall back to our table
        }
        return CudaResults.name(rc);
    }

    static CudaException unexpected(String call, Throwable t) {
        return new CudaException(call, 999, "CUDA_ERROR_UNKNOWN", t.toString());
    }
}
