package dev.gpuop.gpu.nvml;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.GpuHost;

/** The GPU tests' way to the real driver: NVML opened, or the test skipped where there is none. */
final class RealNvml {

    private RealNvml() {
    }

    /** The host's GPUs through NVML; skips the calling test on a machine without a driver. */
    static GpuHost openOrSkip() {
        try {
            return NvmlGpuHost.open(DriverLibraries.standard());
        } catch (DriverLibraryNotFoundException e) {
            assumeTrue(false, "no NVML here: " + e.getMessage());
            throw new IllegalStateException("unreachable", e);
        }
    }
}
