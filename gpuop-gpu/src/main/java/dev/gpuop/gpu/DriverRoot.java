package dev.gpuop.gpu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a node's NVIDIA driver files are, for a process that sees the host's root at {@code hostRoot} ({@code /} on
 * the host, {@code /host} in gpuop's node agent pod). NVIDIA's driver container mounts its root at
 * {@code /run/nvidia/driver}; a driver installed on the host (the seed's) has its files under {@code /} itself. A
 * pod's own root is never the answer: its image holds no driver.
 */
public final class DriverRoot {

    /** Where the driver container's root appears on the host. */
    public static final String DRIVER_CONTAINER = "run/nvidia/driver";
    /** Library dirs a driver installs into, relative to a root: NVIDIA's order, then the CUDA images' mount. */
    public static final List<String> LIB_DIRS = List.of("/usr/lib64", "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu", "/lib64", "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
        "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib");
    /** The library every driver install has. */
    static final String NVML = "libnvidia-ml.so.1";

    private DriverRoot() {
    }

    /** The driver container's root when it holds a driver, else the host's root. */
    public static Path find(Path hostRoot) {
        Path container = hostRoot.resolve(DRIVER_CONTAINER);
        return hasDriverLibraries(container) ? container : hostRoot;
    }

    /** Whether NVML is in one of the library dirs under this root. */
    public static boolean hasDriverLibraries(Path root) {
        return LIB_DIRS.stream().anyMatch(d -> Files.exists(under(root, d).resolve(NVML)));
    }

    /** An absolute path inside a root. */
    public static Path under(Path root, String absolute) {
        return root.resolve(absolute.startsWith("/") ? absolute.substring(1) : absolute);
    }
}
