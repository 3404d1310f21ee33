package dev.gpuop.gpu;

import dev.gpuop.gpu.nvml.NvmlGpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;

/** Picks the implementation: a simulated host when a fixture is named, the driver's NVML otherwise. */
public final class GpuHosts {

    private GpuHosts() {
    }

    /**
     * Opens the host's GPUs.
     *
     * @param simulate a fixture name or file, or null for the real driver
     * @param libraries where to look for NVML
     */
    public static GpuHost open(String simulate, DriverLibraries libraries) {
        return simulate == null ? NvmlGpuHost.open(libraries) : SimulatedGpuHost.open(simulate);
    }
}
