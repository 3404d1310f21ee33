package dev.gpuop.node.cdi;

import java.nio.file.Path;

/**
 * Where the spec generator looks.
 *
 * @param driverRoot the root the driver's files are under ({@code --driver-root}, default {@code /})
 * @param devRoot the root of the device nodes ({@code --dev-root}, default the driver root)
 * @param hostRoot the root of the host's run dirs (IPC sockets)
 * @param procRoot the proc file system ({@code /proc}: driver version, GPUs, MIG capability minors)
 * @param kind the CDI kind, {@code nvidia.com/gpu}
 */
public record CdiOptions(Path driverRoot, Path devRoot, Path hostRoot, Path procRoot, String kind) {

    /** The kind NVIDIA's device plugin and {@code nvidia-ctk cdi generate} use. */
    public static final String NVIDIA_GPU = "nvidia.com/gpu";

    /** The host's own files. */
    public static CdiOptions host() {
        return new CdiOptions(Path.of("/"), Path.of("/"), Path.of("/"), Path.of("/proc"), NVIDIA_GPU);
    }
}
