package dev.gpuop.api.v1alpha1;

/**
 * One GPU node's state, so {@code kubectl get clusterpolicy -o yaml} answers "why is this node not ready".
 *
 * @param name the node
 * @param state its state
 * @param distribution {@code rke2}, {@code k3s} or {@code containerd}
 * @param runtime the container runtime and version the kubelet reports
 * @param driver {@code preinstalled}, {@code container} (gpuop's driver DaemonSet) or {@code unknown}
 * @param message why it is not ready
 * @param validation the node checks (NVIDIA's validator stages): {@code passed}, or the first failed stage and why
 */
public record NodeStatus(String name, ComponentState state, String distribution, String runtime, String driver,
                         String message, String validation) {
}
