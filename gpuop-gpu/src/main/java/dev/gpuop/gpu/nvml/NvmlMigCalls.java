package dev.gpuop.gpu.nvml;

import static dev.gpuop.gpu.nvml.NvmlLibrary.fn;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The NVML MIG functions, bound when MIG is first asked about; apart from {@link NvmlLibrary}'s for the reason
 * {@link NvmlReadingCalls} gives. Signatures: nvml.h of driver 580 (API version 13).
 */
final class NvmlMigCalls {

    static final MethodHandle deviceGetGpuInstanceProfileInfo;
    static final MethodHandle deviceGetGpuInstancePossiblePlacements;
    static final MethodHandle deviceGetGpuInstances;
    static final MethodHandle gpuInstanceGetInfo;
    static final MethodHandle deviceSetMigMode;
    static final MethodHandle deviceCreateGpuInstanceWithPlacement;
    static final MethodHandle gpuInstanceCreateComputeInstance;
    static final MethodHandle gpuInstanceGetComputeInstances;
    static final MethodHandle computeInstanceDestroy;
    static final MethodHandle gpuInstanceDestroy;
    static final MethodHandle deviceGetComputeRunningProcesses;

    static {
        SymbolLookup lib = NvmlBinding.lookup();
        deviceGetGpuInstanceProfileInfo = fn(lib, "nvmlDeviceGetGpuInstanceProfileInfo", ADDRESS, JAVA_INT, ADDRESS);
        // (device, profileId, nvmlGpuInstancePlacement_t *placements, unsigned int *count)
        deviceGetGpuInstancePossiblePlacements = fn(lib, "nvmlDeviceGetGpuInstancePossiblePlacements_v2", ADDRESS,
            JAVA_INT, ADDRESS, ADDRESS);
        // (device, profileId, nvmlGpuInstance_t *instances, unsigned int *count)
        deviceGetGpuInstances = fn(lib, "nvmlDeviceGetGpuInstances", ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        // (gpuInstance, nvmlGpuInstanceInfo_t *info)
        gpuInstanceGetInfo = fn(lib, "nvmlGpuInstanceGetInfo", ADDRESS, ADDRESS);
        // (device, mode, nvmlReturn_t *activationStatus)
        deviceSetMigMode = fn(lib, "nvmlDeviceSetMigMode", ADDRESS, JAVA_INT, ADDRESS);
        // (device, profileId, const nvmlGpuInstancePlacement_t *placement, nvmlGpuInstance_t *instance)
        deviceCreateGpuInstanceWithPlacement = fn(lib, "nvmlDeviceCreateGpuInstanceWithPlacement", ADDRESS,
            JAVA_INT, ADDRESS, ADDRESS);
        // (gpuInstance, profileId, nvmlComputeInstance_t *instance)
        gpuInstanceCreateComputeInstance = fn(lib, "nvmlGpuInstanceCreateComputeInstance", ADDRESS, JAVA_INT,
            ADDRESS);
        // (gpuInstance, profileId, nvmlComputeInstance_t *instances, unsigned int *count)
        gpuInstanceGetComputeInstances = fn(lib, "nvmlGpuInstanceGetComputeInstances", ADDRESS, JAVA_INT, ADDRESS,
            ADDRESS);
        computeInstanceDestroy = fn(lib, "nvmlComputeInstanceDestroy", ADDRESS);
        gpuInstanceDestroy = fn(lib, "nvmlGpuInstanceDestroy", ADDRESS);
        // (device, unsigned int *infoCount, nvmlProcessInfo_t *infos)
        deviceGetComputeRunningProcesses = fn(lib, "nvmlDeviceGetComputeRunningProcesses_v3", ADDRESS, ADDRESS,
            ADDRESS);
    }

    private NvmlMigCalls() {
    }
}
