package dev.gpuop.node.agent;

import dev.gpuop.gpu.DriverRoot;
import dev.gpuop.gpu.host.HostProbe;
import dev.gpuop.gpu.host.HostReport;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the host runs its own NVIDIA driver: the kernel module is loaded while gpuop's driver container (which
 * mounts its root at /run/nvidia/driver) is not there. The operator then never starts a driver container on this
 * node, which is what broke the seed tutorial's host (a driver container fighting an installed driver).
 */
final class DriverInstallation {

    private DriverInstallation() {
    }

    /**
     * Reads the kernel's view (loaded module, {@code /proc/driver/nvidia}) from this process's own {@code /proc},
     * which is the kernel's in any pod, and the driver container's mount from the host's root as this process sees
     * it ({@code /host} in the node agent's pod): in the pod's own root that mount is never there, and a driver
     * container's node would be taken for a pre-installed one.
     */
    static boolean hostDriverLoaded(Path hostRoot) {
        return hostDriverLoaded(Path.of("/"), hostRoot);
    }

    static boolean hostDriverLoaded(Path kernelRoot, Path hostRoot) {
        HostReport kernel = new HostProbe(kernelRoot).probe();
        boolean loaded = kernel.nvidiaModuleLoaded() || kernel.procDriverVersion() != null;
        return loaded && !Files.isDirectory(hostRoot.resolve(DriverRoot.DRIVER_CONTAINER).resolve("usr"));
    }
}
