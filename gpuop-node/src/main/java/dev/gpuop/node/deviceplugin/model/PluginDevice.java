package dev.gpuop.node.deviceplugin.model;

/**
 * One device as the kubelet sees it: a physical device, or one replica of it when shared.
 *
 * @param id the kubelet's device ID: the UUID (or index), with {@code ::n} for replica n
 * @param physical what the container actually gets
 */
public record PluginDevice(String id, PhysicalDevice physical) {

    /** The separator of replica IDs, as NVIDIA writes them. */
    public static final String REPLICA_SEPARATOR = "::";

    /** True when this is a replica of a shared device. */
    public boolean isReplica() {
        return id.contains(REPLICA_SEPARATOR);
    }
}
