package dev.gpuop.gpu.nvml;

import static dev.gpuop.gpu.nvml.NvmlLibrary.fn;
import static dev.gpuop.gpu.nvml.NvmlLibrary.quick;
import static dev.gpuop.gpu.nvml.NvmlLibrary.optional;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The NVML functions behind a GPU's readings (utilization, memory, power, clocks, errors), bound the first time a
 * reading is taken. Apart from {@link NvmlLibrary}'s, because each distinct C signature costs the JVM a set of
 * generated classes when it is first bound (several milliseconds each on the H100): a command that only lists the
 * GPUs, such as {@code toolkit cdi generate}, never binds these (docs/benchmarks.md). Static finals, as
 * NvmlLibrary's, so that the JIT folds them into each call site.
 */
final class NvmlReadingCalls {

    static final MethodHandle uuid;
    static final MethodHandle deviceGetMemoryInfo;
    static final MethodHandle deviceGetMemoryInfoV2;
    static final MethodHandle deviceGetUtilizationRates;
    static final MethodHandle deviceGetTemperature;
    static final MethodHandle deviceGetPowerUsage;
    static final MethodHandle deviceGetTotalEnergyConsumption;
    static final MethodHandle deviceGetClockInfo;
    static final MethodHandle deviceGetFieldValues;
    static final MethodHandle deviceGetEncoderUtilization;
    static final MethodHandle deviceGetDecoderUtilization;
    static final MethodHandle deviceGetTotalEccErrors;
    static final MethodHandle deviceGetRemappedRows;
    static final MethodHandle deviceGetPcieReplayCounter;
    static final MethodHandle deviceGetClocksEventReasons;

    static {
        SymbolLookup lib = NvmlBinding.lookup();
        uuid = quick(lib, "nvmlDeviceGetUUID", ADDRESS, ADDRESS, JAVA_INT);
        deviceGetMemoryInfo = fn(lib, "nvmlDeviceGetMemoryInfo", ADDRESS, ADDRESS);
        deviceGetMemoryInfoV2 = fn(lib, "nvmlDeviceGetMemoryInfo_v2", ADDRESS, ADDRESS);
        deviceGetUtilizationRates = quick(lib, "nvmlDeviceGetUtilizationRates", ADDRESS, ADDRESS);
        deviceGetTemperature = quick(lib, "nvmlDeviceGetTemperature", ADDRESS, JAVA_INT, ADDRESS);
        deviceGetPowerUsage = quick(lib, "nvmlDeviceGetPowerUsage", ADDRESS, ADDRESS);
        deviceGetTotalEnergyConsumption = fn(lib, "nvmlDeviceGetTotalEnergyConsumption", ADDRESS, ADDRESS);
        deviceGetClockInfo = quick(lib, "nvmlDeviceGetClockInfo", ADDRESS, JAVA_INT, ADDRESS);
        deviceGetFieldValues = fn(lib, "nvmlDeviceGetFieldValues", ADDRESS, JAVA_INT, ADDRESS);
        deviceGetEncoderUtilization = quick(lib, "nvmlDeviceGetEncoderUtilization", ADDRESS, ADDRESS, ADDRESS);
        deviceGetDecoderUtilization = quick(lib, "nvmlDeviceGetDecoderUtilization", ADDRESS, ADDRESS, ADDRESS);
        deviceGetTotalEccErrors = fn(lib, "nvmlDeviceGetTotalEccErrors", ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        deviceGetRemappedRows = fn(lib, "nvmlDeviceGetRemappedRows", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        deviceGetPcieReplayCounter = fn(lib, "nvmlDeviceGetPcieReplayCounter", ADDRESS, ADDRESS);
        MethodHandle reasons = optional(lib, "nvmlDeviceGetCurrentClocksEventReasons", ADDRESS, ADDRESS);
        // Drivers before 535 only have the older name of the same function.
        deviceGetClocksEventReasons = reasons != null ? reasons
            : fn(lib, "nvmlDeviceGetCurrentClocksThrottleReasons", ADDRESS, ADDRESS);
    }

    private NvmlReadingCalls() {
    }
}
