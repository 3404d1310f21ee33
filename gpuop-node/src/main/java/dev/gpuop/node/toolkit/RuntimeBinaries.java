package dev.gpuop.node.toolkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The host's NVIDIA container runtime, where one is installed: the GPU Operator's toolkit dir first (as K3s
 * searches), then the package locations. Paths returned are host paths, as containerd will exec them.
 */
public final class RuntimeBinaries {

    static final List<String> DIRS = List.of("/usr/local/nvidia/toolkit", "/usr/bin", "/usr/local/bin");
    /** The runtime in its default (auto) mode. */
    public static final String RUNTIME = "nvidia-container-runtime";
    /** The runtime forced into CDI mode. */
    public static final String RUNTIME_CDI = "nvidia-container-runtime.cdi";

    private RuntimeBinaries() {
    }

    /** The host path of the named binary, or null when the host has none. */
    public static String find(Path hostRoot, String name) {
        for (String dir : DIRS) {
            if (Files.isExecutable(hostRoot.resolve(dir.substring(1)).resolve(name))) {
                return dir + "/" + name;
            }
        }
        return null;
    }
}
