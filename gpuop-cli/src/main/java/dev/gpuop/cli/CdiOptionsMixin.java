package dev.gpuop.cli;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.node.cdi.CdiOptions;
import dev.gpuop.node.cdi.CdiSpec;
import dev.gpuop.node.cdi.HostCdiSpec;
import java.io.IOException;
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
        return options(System.getenv(DriverLibraries.HOST_ROOT_ENV));
    }

    /**
     * The options; where the host's root is mounted in this process ({@code GPUOP_HOST_ROOT}, the node agent's pod),
     * the driver and device roots are read under it and the spec names the host's paths.
     */
    CdiOptions options(String hostRootEnv) {
        Path mount = hostRootEnv == null || hostRootEnv.isBlank() ? Path.of("/") : Path.of(hostRootEnv);
        Path driver = driverRoot != null ? driverRoot : ContainerdOptions.envPath("NVIDIA_DRIVER_ROOT", "DRIVER_ROOT");
        Path dev = devRoot != null ? devRoot : ContainerdOptions.envPath("NVIDIA_DEV_ROOT", "DEV_ROOT");
        if (mount.equals(Path.of("/"))) {
            Path root = driver == null ? Path.of("/") : driver;
            return new CdiOptions(root, dev == null ? root : dev, Path.of("/"), procRoot, CdiOptions.NVIDIA_GPU);
        }
        return CdiOptions.mountedHost(mount, procRoot, driver == null ? null : driver.toString(),
            dev == null ? null : dev.toString());
    }

    /** The spec; NVML first, the /proc files when NVML cannot be loaded (then the NVML error is not fatal). */
    CdiSpec generate() throws IOException {
        return HostCdiSpec.generate(options(), simulate);
    }

    /** True when there is a driver to describe (so install can skip the spec on a host without one). */
    boolean driverPresent() {
        return HostCdiSpec.driverPresent(options(), simulate);
    }
}
