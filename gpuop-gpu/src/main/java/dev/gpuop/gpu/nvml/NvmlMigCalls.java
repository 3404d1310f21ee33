package dev.gpuop.gpu.nvml;

import static dev.gpuop.gpu.nvml.NvmlLibrary.fn;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The NVML MIG functions, bound when MIG is first asked about; apart from {@link NvmlLibrary}'s for the reason
 * {@link NvmlReadingCalls} gives. Read-only so far: the profiles a GPU offers.
 */
final class NvmlMigCalls {

    static final MethodHandle deviceGetGpuInstanceProfileInfo;

    static {
        SymbolLookup lib = NvmlBinding.lookup();
        deviceGetGpuInstanceProfileInfo = fn(lib, "nvmlDeviceGetGpuInstanceProfileInfo", ADDRESS, JAVA_INT, ADDRESS);
    }

    private NvmlMigCalls() {
    }
}
