package dev.gpuop.node.deviceplugin.config;

import java.util.Map;

/**
 * Validated time-slicing or MPS sharing.
 *
 * @param kind which sharing
 * @param renameByDefault advertise {@code <name>.shared} instead of {@code <name>}
 * @param failRequestsGreaterThanOne refuse a request of more than one replica
 * @param replicasByResource replicas per physical device, by resource name
 */
public record Replication(Kind kind, boolean renameByDefault, boolean failRequestsGreaterThanOne,
                          Map<String, Integer> replicasByResource) {

    /** The two sharing mechanisms of NVIDIA's config. */
    public enum Kind { TIME_SLICING, MPS }

    public Replication {
        replicasByResource = Map.copyOf(replicasByResource);
    }

    /** Replicas for a resource, or 1 when it is not shared. */
    public int replicasOf(String resource) {
        return replicasByResource.getOrDefault(resource, 1);
    }

    /** The label value {@code nvidia.com/gpu.sharing-strategy} takes. */
    public String strategyName() {
        return kind == Kind.MPS ? "mps" : "time-slicing";
    }
}
