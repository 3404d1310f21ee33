package dev.gpuop.gpu.nvml;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.NvmlReturn;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The NVML C functions gpuop calls, as FFM downcall handles, with NVML's own (versioned) symbol names. Every handle
 * returns {@code nvmlReturn_t}; {@link #check} turns a failure into a {@link GpuException} naming the call.
 * Signatures and layouts: NVML API version 13 (../shared/reference/node-operands.md §5). A function this driver
 * lacks has a null handle and fails with {@code FUNCTION_NOT_FOUND} when called. These are the functions that find
 * and describe the GPUs; those of readings and events are bound apart, on first use ({@link NvmlReadingCalls},
 * {@link NvmlEventCalls}).
 */
final class NvmlLibrary {

    private static final Linker LINKER = Linker.nativeLinker();

    static final MethodHandle init;
    static final MethodHandle shutdown;
    static final MethodHandle errorString;
    static final MethodHandle systemGetDriverVersion;
    static final MethodHandle systemGetCudaDriverVersion;
    static final MethodHandle deviceGetCount;
    static final MethodHandle deviceGetHandleByIndex;
    static final MethodHandle deviceGetName;
    static final MethodHandle deviceGetUuid;
    static final MethodHandle deviceGetPciInfo;
    static final MethodHandle deviceGetMinorNumber;
    static final MethodHandle deviceGetIndex;
    static final MethodHandle deviceGetCudaComputeCapability;
    static final MethodHandle deviceGetArchitecture;
    static final MethodHandle deviceGetMigMode;
    static final MethodHandle deviceGetMaxMigDeviceCount;
    static final MethodHandle deviceGetMigDeviceHandleByIndex;
    static final MethodHandle deviceGetGpuInstanceId;
    static final MethodHandle deviceGetComputeInstanceId;
    static final MethodHandle deviceGetAttributes;
    static final MethodHandle deviceGetNvLinkState;
    static final MethodHandle deviceGetNvLinkRemotePciInfo;

    /*
     * The handles are static finals so that the JIT folds them into each call site: an NVML reading then costs what
     * it costs from C. They bind to the lookup NvmlBinding holds, which NvmlGpuHost sets before anything touches
     * this class. The library is never unloaded, so one binding per process is all there is.
     */
    static {
        SymbolLookup lib = NvmlBinding.lookup();
        init = fn(lib, "nvmlInit_v2");
        shutdown = fn(lib, "nvmlShutdown");
        errorString = find(lib, "nvmlErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        systemGetDriverVersion = fn(lib, "nvmlSystemGetDriverVersion", ADDRESS, JAVA_INT);
        systemGetCudaDriverVersion = fn(lib, "nvmlSystemGetCudaDriverVersion_v2", ADDRESS);
        deviceGetCount = fn(lib, "nvmlDeviceGetCount_v2", ADDRESS);
        deviceGetHandleByIndex = fn(lib, "nvmlDeviceGetHandleByIndex_v2", JAVA_INT, ADDRESS);
        deviceGetName = fn(lib, "nvmlDeviceGetName", ADDRESS, ADDRESS, JAVA_INT);
        deviceGetUuid = fn(lib, "nvmlDeviceGetUUID", ADDRESS, ADDRESS, JAVA_INT);
        deviceGetPciInfo = fn(lib, "nvmlDeviceGetPciInfo_v3", ADDRESS, ADDRESS);
        deviceGetMinorNumber = fn(lib, "nvmlDeviceGetMinorNumber", ADDRESS, ADDRESS);
        deviceGetIndex = fn(lib, "nvmlDeviceGetIndex", ADDRESS, ADDRESS);
        deviceGetCudaComputeCapability = fn(lib, "nvmlDeviceGetCudaComputeCapability", ADDRESS, ADDRESS, ADDRESS);
        deviceGetArchitecture = fn(lib, "nvmlDeviceGetArchitecture", ADDRESS, ADDRESS);
        deviceGetMigMode = fn(lib, "nvmlDeviceGetMigMode", ADDRESS, ADDRESS, ADDRESS);
        deviceGetMaxMigDeviceCount = fn(lib, "nvmlDeviceGetMaxMigDeviceCount", ADDRESS, ADDRESS);
        deviceGetMigDeviceHandleByIndex = fn(lib, "nvmlDeviceGetMigDeviceHandleByIndex", ADDRESS, JAVA_INT, ADDRESS);
        deviceGetGpuInstanceId = fn(lib, "nvmlDeviceGetGpuInstanceId", ADDRESS, ADDRESS);
        deviceGetComputeInstanceId = fn(lib, "nvmlDeviceGetComputeInstanceId", ADDRESS, ADDRESS);
        deviceGetAttributes = fn(lib, "nvmlDeviceGetAttributes_v2", ADDRESS, ADDRESS);
        deviceGetNvLinkState = fn(lib, "nvmlDeviceGetNvLinkState", ADDRESS, JAVA_INT, ADDRESS);
        deviceGetNvLinkRemotePciInfo = fn(lib, "nvmlDeviceGetNvLinkRemotePciInfo_v2", ADDRESS, JAVA_INT, ADDRESS);
    }

    private NvmlLibrary() {
    }

    /** The library, with its handles bound to the lookup {@link NvmlBinding#bind} was given first. */
    static NvmlLibrary instance() {
        return Instance.LIBRARY;
    }

    /** Initialised on first use. */
    private static final class Instance {
        static final NvmlLibrary LIBRARY = new NvmlLibrary();
    }

    static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        FunctionDescriptor descriptor = FunctionDescriptor.of(JAVA_INT, args);
        return orMissing(find(lib, name, descriptor), descriptor);
    }

    /**
     * Like {@link #fn} for a getter that returns within a microsecond and never blocks or calls back: a critical
     * downcall, which skips the Java-to-native thread state transition, a large share of a 0.3 µs call. Slow or
     * blocking calls (energy, PCIe replay, ECC, event waits, init) stay ordinary downcalls.
     */
    static MethodHandle quick(SymbolLookup lib, String name, MemoryLayout... args) {
        FunctionDescriptor descriptor = FunctionDescriptor.of(JAVA_INT, args);
        MethodHandle h = lib.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor,
            Linker.Option.critical(false))).orElse(null);
        return orMissing(h, descriptor);
    }

    /** Like {@link #fn} but null when the symbol is absent, for functions that have an older fallback. */
    static MethodHandle optional(SymbolLookup lib, String name, MemoryLayout... args) {
        return find(lib, name, FunctionDescriptor.of(JAVA_INT, args));
    }

    private static MethodHandle find(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return lib.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor)).orElse(null);
    }

    /**
     * A function this driver lacks becomes a handle of the same type that returns {@code FUNCTION_NOT_FOUND}, so
     * that every call site handles a missing symbol like any other NVML error, without null checks.
     */
    private static MethodHandle orMissing(MethodHandle handle, FunctionDescriptor descriptor) {
        if (handle != null) {
            return handle;
        }
        MethodType type = descriptor.toMethodType();
        return MethodHandles.dropArguments(
            MethodHandles.constant(int.class, NvmlReturn.ERROR_FUNCTION_NOT_FOUND.code()), 0, type.parameterList());
    }

    /** Fails with the call's name and NVML's error name unless {@code rc} is success. */
    void check(String call, int rc) {
        if (rc != 0) {
            throw new GpuException(call, NvmlReturn.of(rc), describe(rc));
        }
    }

    /** NVML's own text for a return code, or null when the library cannot say. */
    String describe(int rc) {
        if (errorString == null) {
            return null;
        }
        try {
            MemorySegment text = (MemorySegment) errorString.invokeExact(rc);
            return text.equals(MemorySegment.NULL) ? null : text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return null;
        }
    }

    /** Wraps an unexpected throwable from a downcall (there are none in practice: the handles are exact). */
    static GpuException unexpected(String call, Throwable t) {
        return new GpuException(call, NvmlReturn.ERROR_UNKNOWN, t.toString());
    }

    /**
     * Per-thread memory for out-parameters. A fresh allocation per call would cost as much as the NVML call itself
     * (the benchmark's target is 1.5x C), so each thread reuses one buffer; no caller holds it across two calls.
     */
    static MemorySegment scratch() {
        return SCRATCH.get();
    }

    static final int SCRATCH_BYTES = 512;

    private static final ThreadLocal<MemorySegment> SCRATCH =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_BYTES, 8));
}
