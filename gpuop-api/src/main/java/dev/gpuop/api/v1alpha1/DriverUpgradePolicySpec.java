package dev.gpuop.api.v1alpha1;

import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * NVIDIA's {@code driver.upgradePolicy}, field for field: how driver pods that no longer match their DaemonSet are
 * replaced node by node (the node's state in {@code nvidia.com/gpu-driver-upgrade-state}).
 *
 * @param autoUpgrade whether gpuop replaces outdated driver pods at all; absent: true
 * @param maxParallelUpgrades nodes upgraded at once, 0 for no limit; absent: 1
 * @param maxUnavailable nodes that may be unavailable at once, a count or a percentage of the driver's nodes
 *     (rounded up); absent: 25%
 * @param waitForCompletion pods to let finish before GPU pods are deleted
 * @param podDeletion how the node's GPU pods are deleted (NVIDIA's chart: {@code gpuPodDeletion})
 * @param drain whether and how the node is drained besides
 */
public record DriverUpgradePolicySpec(Boolean autoUpgrade, Integer maxParallelUpgrades, IntOrString maxUnavailable,
    WaitForCompletion waitForCompletion, PodDeletion podDeletion, Drain drain) {

    /**
     * @param podSelector a label selector of the pods to wait for; absent: none are waited for
     * @param timeoutSeconds how long to wait, 0 for ever
     */
    public record WaitForCompletion(String podSelector, Integer timeoutSeconds) {
    }

    /**
     * @param force delete GPU pods that no controller would recreate
     * @param timeoutSeconds how long deleted pods may take to go; absent: 300
     * @param deleteEmptyDir delete GPU pods with an emptyDir volume (its data is lost)
     */
    public record PodDeletion(Boolean force, Integer timeoutSeconds, Boolean deleteEmptyDir) {
    }

    /**
     * @param enable drain the node (every pod but DaemonSet pods) after its GPU pods went
     * @param force evict pods that no controller would recreate
     * @param podSelector a label selector of the pods to drain; absent: all
     * @param timeoutSeconds how long the drain may take; absent: 300
     * @param deleteEmptyDir evict pods with an emptyDir volume
     */
    public record Drain(Boolean enable, Boolean force, String podSelector, Integer timeoutSeconds,
        Boolean deleteEmptyDir) {
    }
}
