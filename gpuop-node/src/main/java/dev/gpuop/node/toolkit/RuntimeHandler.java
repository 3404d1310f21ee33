package dev.gpuop.node.toolkit;

/**
 * A CRI runtime handler gpuop adds (the name a Kubernetes RuntimeClass's {@code handler} must equal).
 *
 * @param name e.g. {@code nvidia} or {@code nvidia-cdi}
 * @param binaryName the OCI runtime the runc shim runs instead of runc (a host {@code nvidia-container-runtime}),
 *     or null to keep the copied runtime's own (plain runc; CDI then comes from containerd itself)
 */
public record RuntimeHandler(String name, String binaryName) {
}
