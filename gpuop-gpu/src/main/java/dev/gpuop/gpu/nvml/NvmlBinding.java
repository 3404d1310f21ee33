package dev.gpuop.gpu.nvml;

import java.lang.foreign.SymbolLookup;

/**
 * Holds the loaded NVML until {@link NvmlLibrary} initialises its static handles from it. A class of its own, because
 * calling a static method of NvmlLibrary would initialise NvmlLibrary before the lookup is there.
 */
final class NvmlBinding {

    private static SymbolLookup lookup;

    private NvmlBinding() {
    }

    /** Records the library (the first one of the process wins) and returns the bound library. */
    static synchronized NvmlLibrary bind(SymbolLookup lib) {
        if (lookup == null) {
            lookup = lib;
        }
        return NvmlLibrary.instance();
    }

    static synchronized SymbolLookup lookup() {
        if (lookup == null) {
            throw new IllegalStateException("NVML used before it was loaded");
        }
        return lookup;
    }
}
