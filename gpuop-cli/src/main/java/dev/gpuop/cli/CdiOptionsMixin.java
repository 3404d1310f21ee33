package dev.gpuop.cli;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuHosts;
import dev.gpuop.node.cdi.CdiOptions;
import dev.gpuop.node.cdi.CdiSpec;
import dev.gpuop.node.cdi.CdiSpecGenerator;
import dev.gpuop.node.cdi.DriverFiles;
import dev.gpuop.node.cdi.GpuInventory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the CDI spec's facts come from: NVML under a driver root, else the kernel driver's /proc files. */
final class CdiOptionsMixin {

    @Option(names = "--driver-root", paramLabel = "DIR",
        description = "Root the driver's files are under: / for a host install, /run/nvidia/driver for a driver "
            + "container (env NVIDIA_DRIVER_ROOT, DRIVER_ROOT; default: /).")
    Path driverRoot;

    @Option(names = "--dev-root", paramLabel = "DIR",
        description = "Root of the device nodes (env NVIDIA_DEV_ROOT, DEV_ROOT; default: the driver root).")
    Path devRoot;

    @Option(names = "--simulate", paramLabel = "FIXTURE", hidden = true,
        description = "Take the GPUs from a simulated host (tests).")
    String simulate;

    @Option(names = "--proc-root", paramLabel = "DIR", defaultValue = "/proc", hidden = true,
        description = "The proc file system to read (tests).")
    Path procRoot;

    CdiOptions options() {
        Path driver = driverRoot != null ? driverRoot : orRoot(ContainerdOptions.envPath("NVIDIA_DRIVER_ROOT",
            "DRIVER_ROOT"));
        Path dev = devRoot != null ? devRoot : ContainerdOptions.envPath("NVIDIA_DEV_ROOT", "DEV_ROOT");
        return new CdiOptions(driver, dev == null ? driver : dev, Path.of("/"), procRoot, CdiOptions.NVIDIA_GPU);
    }

    private static Path orRoot(Path p) {
        return p == null ? Path.of("/") : p;
    }

    /** The spec; NVML first, the /proc files when NVML cannot be loaded (then the NVML error is not fatal). */
    CdiSpec generate() throws IOException {
        CdiOptions o = options();
        GpuInventory inventory = inventory(o);
        DriverFiles files = DriverFiles.find(o.driverRoot(), o.hostRoot(), inventory.driverVersion());
        return CdiSpecGenerator.generate(inventory, files, o);
    }

    private GpuInventory inventory(CdiOptions o) throws IOException {
        DriverLibraries libraries = o.driverRoot().equals(Path.of("/")) ? DriverLibraries.standard()
            : DriverLibraries.inRoots(DriverFiles.LIB_DIRS.stream()
                .map(d -> o.driverRoot().resolve(d.substring(1)).toString()).toList());
        try (GpuHost host = GpuHosts.open(simulate, libraries)) {
            return GpuInventory.of(host);
        } catch (DriverLibraryNotFoundException | GpuException nvmlFailed) {
            if (Files.exists(o.procRoot().resolve("driver/nvidia/version"))) {
                return GpuInventory.fromProc(o.procRoot());
            }
            throw nvmlFailed;
        }
    }

    /** True when there is a driver to describe (so install can skip the spec on a host without one). */
    boolean driverPresent() {
        CdiOptions o = options();
        return simulate != null || Files.exists(o.procRoot().resolve("driver/nvidia/version"));
    }
}
