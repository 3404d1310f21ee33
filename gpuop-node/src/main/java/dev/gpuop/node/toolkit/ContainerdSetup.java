package dev.gpuop.node.toolkit;

import dev.gpuop.gpu.host.Distribution;
import java.nio.file.Path;

/**
 * The containerd gpuop found on this node.
 *
 * @param distribution who runs it
 * @param config the config file containerd reads (on K3s/RKE2 the generated one, which gpuop never writes)
 * @param template on K3s/RKE2 the template gpuop may extend (existing or to be created); null on plain containerd
 * @param socket containerd's gRPC socket
 * @param binary the containerd binary, for {@code config dump} checks and its version; null when absent
 * @param binaryVersion its version; null when unknown
 */
public record ContainerdSetup(Distribution distribution, Path config, Path template, Path socket, Path binary,
                              ContainerdVersion binaryVersion) {

    /** The drop-in file of our own next to the config, for the given config version. */
    public Path dropIn(ConfigVersion version) {
        Path dir = config.toAbsolutePath().getParent();
        if (distribution.rendersConfig()) {
            return dir.resolve(version == ConfigVersion.V2 ? "config.toml.d" : "config-v3.toml.d")
                .resolve("99-nvidia.toml");
        }
        return dir.resolve("conf.d").resolve("99-nvidia.toml");
    }

    /** True when containerd merges imported plugin sections (2.x), judged by its binary or else the config. */
    public boolean mergesDropIns(ConfigVersion version) {
        return binaryVersion != null ? binaryVersion.mergesDropIns() : version != ConfigVersion.V2;
    }
}
