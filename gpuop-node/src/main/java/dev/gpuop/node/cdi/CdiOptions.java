package dev.gpuop.node.cdi;

import dev.gpuop.gpu.DriverRoot;
import java.nio.file.Path;

/**
 * Where the spec generator looks, and what the host calls what it finds.
 *
 * @param driverRoot the root the driver's files are read under ({@code --driver-root}, default {@code /})
 * @param devRoot the root of the device nodes ({@code --dev-root}, default the driver root)
 * @param hostRoot the root of the host's run dirs (IPC sockets)
 * @param procRoot the proc file system ({@code /proc}: driver version, GPUs, MIG capability minors)
 * @param kind the CDI kind, {@code nvidia.com/gpu}
 * @param hostMount where the host's {@code /} is mounted in this process: {@code /} on the host, {@code /host} in
 *     the node agent's pod. The spec's host paths are the paths read with this prefix taken off, because
 *     containerd reads them on the host, not in the pod.
 */
public record CdiOptions(Path driverRoot, Path devRoot, Path hostRoot, Path procRoot, String kind, Path hostMount) {

    /** The kind NVIDIA's device plugin and {@code nvidia-ctk cdi generate} use. */
    public static final String NVIDIA_GPU = "nvidia.com/gpu";

    /** Options read on the host itself. */
    public CdiOptions(Path driverRoot, Path devRoot, Path hostRoot, Path procRoot, String kind) {
        this(driverRoot, devRoot, hostRoot, procRoot, kind, Path.of("/"));
    }

    /** The host's own files. */
    public static CdiOptions host() {
        return new CdiOptions(Path.of("/"), Path.of("/"), Path.of("/"), Path.of("/proc"), NVIDIA_GPU);
    }

    /**
     * The options of a process that sees the host's root at {@code hostMount}: the driver container's root when it
     * holds a driver, else the host's; device nodes and IPC sockets from the host.
     */
    public static CdiOptions mountedHost(Path hostMount, Path procRoot) {
        return mountedHost(hostMount, procRoot, null, null);
    }

    /**
     * The same, with NVIDIA's driver and device roots where a user set them ({@code NVIDIA_DRIVER_ROOT},
     * {@code NVIDIA_DEV_ROOT}: paths on the host, read under the mount); null or blank for the defaults.
     */
    public static CdiOptions mountedHost(Path hostMount, Path procRoot, String driverRootOnHost,
                                         String devRootOnHost) {
        Path driver = blank(driverRootOnHost) ? DriverRoot.find(hostMount)
            : DriverRoot.under(hostMount, driverRootOnHost);
        Path dev = blank(devRootOnHost) ? hostMount : DriverRoot.under(hostMount, devRootOnHost);
        return new CdiOptions(driver, dev, hostMount, procRoot, NVIDIA_GPU, hostMount);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The path the host gives a file that this process reads at {@code read}. */
    public String onHost(Path read) {
        Path abs = read.toAbsolutePath().normalize();
        Path mount = hostMount.toAbsolutePath().normalize();
        return abs.startsWith(mount) ? "/" + mount.relativize(abs) : abs.toString();
    }
}
