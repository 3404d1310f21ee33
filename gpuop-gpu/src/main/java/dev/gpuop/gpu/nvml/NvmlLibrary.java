package dev.gpuop.gpu.nvml;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

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
 * lacks has a null handle and fails with {@code FUNCTION_NOT_FOUND} when called.
 */
final class NvmlLibrary {

    private static final Linker LINKER = Linker.nativeLinker();

    final MethodHandle init;
    final MethodHandle shutdown;
    final MethodHandle errorString;
    final MethodHandle systemGetDriverVersion;
    final MethodHandle systemGetCudaDriverVersion;
    final MethodHandle deviceGetCount;
    final MethodHandle deviceGetHandleByIndex;
    final MethodHandle deviceGetName;
    final MethodHandle deviceGetUuid;
    final MethodHandle deviceGetPciInfo;
    final MethodHandle deviceGetMinorNumber;
    final MethodHandle deviceGetIndex;
    final MethodHandle deviceGetCudaComputeCapability;
    final MethodHandle deviceGetArchitecture;
    final MethodHandle deviceGetMigMode;
    final MethodHandle deviceGetMaxMigDeviceCount;
    final MethodHandle deviceGetMigDeviceHandleByIndex;
    final MethodHandle deviceGetGpuInstanceId;
    final MethodHandle deviceGetComputeInstanceId;
    final MethodHandle deviceGetAttributes;
    final MethodHandle deviceGetNvLinkState;
    final MethodHandle deviceGetNvLinkRemotePciInfo;
    final MethodHandle deviceGetMemoryInfo;
    final MethodHandle deviceGetMemoryInfoV2;
    final MethodHandle deviceGetUtilizationRates;
    final MethodHandle deviceGetTemperature;
    final MethodHandle deviceGetPowerUsage;
    final MethodHandle deviceGetTotalEnergyConsumption;
    final MethodHandle deviceGetClockInfo;
    final MethodHandle deviceGetTotalEccErrors;
    final MethodHandle deviceGetRemappedRows;
    final MethodHandle deviceGetPcieReplayCounter;
    final MethodHandle deviceGetClocksEventReasons;
    final MethodHandle deviceGetSupportedEventTypes;
    final MethodHandle deviceRegisterEvents;
    final MethodHandle eventSetCreate;
    final MethodHandle eventSetWait;
    final MethodHandle eventSetFree;

    NvmlLibrary(SymbolLookup lib) {
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
        deviceGetMemoryInfo = fn(lib, "nvmlDeviceGetMemoryInfo", ADDRESS, ADDRESS);
        deviceGetMemoryInfoV2 = fn(lib, "nvmlDeviceGetMemoryInfo_v2", ADDRESS, ADDRESS);
        deviceGetUtilizationRates = fn(lib, "nvmlDeviceGetUtilizationRates", ADDRESS, ADDRESS);
        deviceGetTemperature = fn(lib, "nvmlDeviceGetTemperature", ADDRESS, JAVA_INT, ADDRESS);
        deviceGetPowerUsage = fn(lib, "nvmlDeviceGetPowerUsage", ADDRESS, ADDRESS);
        deviceGetTotalEnergyConsumption = fn(lib, "nvmlDeviceGetTotalEnergyConsumption", ADDRESS, ADDRESS);
        deviceGetClockInfo = fn(lib, "nvmlDeviceGetClockInfo", ADDRESS, JAVA_INT, ADDRESS);
        deviceGetTotalEccErrors = fn(lib, "nvmlDeviceGetTotalEccErrors", ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        deviceGetRemappedRows = fn(lib, "nvmlDeviceGetRemappedRows", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        deviceGetPcieReplayCounter = fn(lib, "nvmlDeviceGetPcieReplayCounter", ADDRESS, ADDRESS);
        MethodHandle reasons = optional(lib, "nvmlDeviceGetCurrentClocksEventReasons", ADDRESS, ADDRESS);
        // Drivers before 535 only have the older name of the same function.
        deviceGetClocksEventReasons = reasons != null ? reasons
            : fn(lib, "nvmlDeviceGetCurrentClocksThrottleReasons", ADDRESS, ADDRESS);
        deviceGetSupportedEventTypes = fn(lib, "nvmlDeviceGetSupportedEventTypes", ADDRESS, ADDRESS);
        deviceRegisterEvents = fn(lib, "nvmlDeviceRegisterEvents", ADDRESS, JAVA_LONG, ADDRESS);
        eventSetCreate = fn(lib, "nvmlEventSetCreate", ADDRESS);
        eventSetWait = fn(lib, "nvmlEventSetWait_v2", ADDRESS, ADDRESS, JAVA_INT);
        eventSetFree = fn(lib, "nvmlEventSetFree", ADDRESS);
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        FunctionDescriptor descriptor = FunctionDescriptor.of(JAVA_INT, args);
        return orMissing(find(lib, name, descriptor), descriptor);
    }

    /** Like {@link #fn} but null when the symbol is absent, for functions that have an older fallback. */
    private static MethodHandle optional(SymbolLookup lib, String name, MemoryLayout... args) {
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
