package dev.gpuop.node.cdi;

import java.util.List;

/**
 * A bind mount.
 *
 * @param hostPath the file on the host
 * @param containerPath where it appears in the container
 * @param options OCI mount options
 */
public record CdiMount(String hostPath, String containerPath, List<String> options) {

    /** Read-only bind of a library, binary or firmware file (NVIDIA's toolkit uses the same options). */
    public static final List<String> READ_ONLY = List.of("ro", "nosuid", "nodev", "rbind", "rprivate");
    /** A socket or socket directory: writable, not executable. */
    public static final List<String> IPC = List.of("nosuid", "nodev", "rbind", "rprivate", "noexec");

    public CdiMount {
        options = List.copyOf(options);
    }
}
