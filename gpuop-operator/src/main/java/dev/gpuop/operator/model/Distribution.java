package dev.gpuop.operator.model;

import java.util.Locale;

/**
 * Who runs containerd on a node, read from the kubelet's version string: RKE2 and K3s build their kubelet with a
 * {@code +rke2r1} or {@code +k3s1} suffix, and both run their own containerd with its own socket and a config they
 * regenerate from a template at every start.
 */
public enum Distribution {
    /** containerd installed on its own ({@code /etc/containerd}). */
    CONTAINERD("/etc/containerd/config.toml", "/run/containerd/containerd.sock"),
    /** Rancher RKE2. */
    RKE2("/var/lib/rancher/rke2/agent/etc/containerd/config.toml", "/run/k3s/containerd/containerd.sock"),
    /** Rancher K3s. */
    K3S("/var/lib/rancher/k3s/agent/etc/containerd/config.toml", "/run/k3s/containerd/containerd.sock");

    private final String containerdConfig;
    private final String containerdSocket;

    Distribution(String containerdConfig, String containerdSocket) {
        this.containerdConfig = containerdConfig;
        this.containerdSocket = containerdSocket;
    }

    /** From {@code status.nodeInfo.kubeletVersion}, e.g. {@code v1.33.5+rke2r1} or {@code v1.33.5+k3s1}. */
    public static Distribution fromKubeletVersion(String kubeletVersion) {
        String v = kubeletVersion == null ? "" : kubeletVersion.toLowerCase(Locale.ROOT);
        if (v.contains("+rke2")) {
            return RKE2;
        }
        if (v.contains("+k3s")) {
            return K3S;
        }
        return CONTAINERD;
    }

    /** The config containerd reads (on RKE2/K3s the generated one, next to its templates). */
    public String containerdConfig() {
        return containerdConfig;
    }

    /** containerd's socket. */
    public String containerdSocket() {
        return containerdSocket;
    }

    /** The lower-case name, as {@code gpuop toolkit install --distribution} takes it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
