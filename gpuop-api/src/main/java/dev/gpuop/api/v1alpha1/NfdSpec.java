package dev.gpuop.api.v1alpha1;

/**
 * Node Feature Discovery. gpuop does not install NFD; it reads NFD's PCI labels when they are there.
 *
 * @param enabled true: an NFD in the cluster marks GPU nodes, so the node agent runs only where NFD (or a user)
 *     labelled one; false (default): the node agent also starts on unlabelled nodes, scans PCI itself and labels
 *     the node {@code nvidia.com/gpu.present=true} or {@code false}
 */
public record NfdSpec(Boolean enabled) {

    /** Whether an NFD is relied on. */
    public boolean isEnabled() {
        return enabled != null && enabled;
    }
}
