package dev.gpuop.gpu.nvml;

import static dev.gpuop.gpu.nvml.NvmlLibrary.fn;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The NVML event functions (XID and other GPU events), bound when the first event stream opens; apart from
 * {@link NvmlLibrary}'s for the reason {@link NvmlReadingCalls} gives.
 */
final class NvmlEventCalls {

    static final MethodHandle deviceGetSupportedEventTypes;
    static final MethodHandle deviceRegisterEvents;
    static final MethodHandle eventSetCreate;
    static final MethodHandle eventSetWait;
    static final MethodHandle eventSetFree;

    static {
        SymbolLookup lib = NvmlBinding.lookup();
        deviceGetSupportedEventTypes = fn(lib, "nvmlDeviceGetSupportedEventTypes", ADDRESS, ADDRESS);
        deviceRegisterEvents = fn(lib, "nvmlDeviceRegisterEvents", ADDRESS, JAVA_LONG, ADDRESS);
        eventSetCreate = fn(lib, "nvmlEventSetCreate", ADDRESS);
        eventSetWait = fn(lib, "nvmlEventSetWait_v2", ADDRESS, ADDRESS, JAVA_INT);
        eventSetFree = fn(lib, "nvmlEventSetFree", ADDRESS);
    }

    private NvmlEventCalls() {
    }
}
