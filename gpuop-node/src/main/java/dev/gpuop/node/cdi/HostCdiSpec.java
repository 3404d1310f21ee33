package dev.gpuop.node.cdi;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuHosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CDI spec of a node's GPUs as the CLI and the node agent make it: the GPUs from NVML under the driver root,
 * or from the kernel driver's /proc files when NVML cannot be loaded; the driver's files under the driver root.
 */
public final class HostCdiSpec {

    private HostCdiSpec() {
    }

    /** The spec; {@code simulate} names a simulated host (tests), else null. */
    public static CdiSpec generate(CdiOptions o, String simulate) throws IOException {
        GpuInventory inventory = inventory(o, simulate);
        DriverFiles files = DriverFiles.find(o.driverRoot(), o.hostRoot(), inventory.driverVersion());
        return CdiSpecGenerator.generate(inventory, files, o);
    }

    /** True when there is a driver to describe (so install can skip the spec on a host without one). */
    public static boolean driverPresent(CdiOptions o, String simulate) {
        return simulate != null || Files.exists(o.procRoot().resolve("driver/nvidia/version"));
    }

    private static GpuInventory inventory(CdiOptions o, String simulate) throws IOException {
        DriverLibraries libraries = o.driverRoot().equals(Path.of("/")) ? DriverLibraries.standard()
            : DriverLibraries.underRoot(o.driverRoot());
        try (GpuHost host = GpuHosts.open(simulate, libraries)) {
            return GpuInventory.of(host);
        } catch (DriverLibraryNotFoundException | GpuException nvmlFailed) {
            if (Files.exists(o.procRoot().resolve("driver/nvidia/version"))) {
                return GpuInventory.fromProc(o.procRoot());
            }
            throw nvmlFailed;
        }
    }
}
