package dev.gpuop.node.toolkit;

import dev.gpuop.gpu.host.Distribution;
import java.nio.file.Path;

/**
 * What the operator or the user told gpuop about containerd; nulls mean "find it".
 *
 * @param config {@code --containerd-config} / {@code CONTAINERD_CONFIG}: the config, or a K3s/RKE2 template
 * @param socket {@code --containerd-socket} / {@code CONTAINERD_SOCKET}
 * @param distribution {@code --distribution}; null for auto
 * @param binary {@code --containerd-binary} / {@code RUNTIME_EXECUTABLE_PATH}
 * @param hostRoot where the host's file system is (the node agent mounts it); {@code /} on the host
 */
public record SetupHints(Path config, Path socket, Distribution distribution, Path binary, Path hostRoot) {

    /** No hints: everything from the host at {@code /}. */
    public static SetupHints none() {
        return new SetupHints(null, null, null, null, Path.of("/"));
    }
}
