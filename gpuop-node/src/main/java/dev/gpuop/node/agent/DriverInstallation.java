package dev.gpuop.node.agent;

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

    static boolean hostDriverLoaded(Path root) {
        HostReport host = new HostProbe(root).probe();
        boolean loaded = host.nvidiaModuleLoaded() || host.procDriverVersion() != null;
        return loaded && !Files.isDirectory(root.resolve("run/nvidia/driver/usr"));
    }
}
