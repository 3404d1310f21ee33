package dev.gpuop.gpu.host;

import java.util.Locale;

/**
 * Who runs containerd on a node, which decides which file gpuop may edit, where containerd's socket is and how
 * containerd restarts. The operator reads it from the kubelet's version string (RKE2 and K3s build their kubelet with
 * a {@code +rke2r1} or {@code +k3s1} suffix); the toolkit step is told it with {@code --distribution}. One type for
 * both, so the two can never disagree on a path.
 */
public enum Distribution {
    /** containerd installed on its own, configured by {@code /etc/containerd/config.toml}. */
    CONTAINERD("/etc/containerd/config.toml", "/run/containerd/containerd.sock"),
    /** Rancher RKE2: runs K3s's agent code, so the same template rules under its own data dir. */
    RKE2("/var/lib/rancher/rke2/agent/etc/containerd/config.toml", "/run/k3s/containerd/containerd.sock"),
    /** Rancher K3s: regenerates {@code config.toml} from a template on every start. */
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

    /** True when the distribution renders containerd's config from a template at every start. */
    public boolean rendersConfig() {
        return this != CONTAINERD;
    }

    /** The lower-case name, as {@code gpuop toolkit install --distribution} takes it and labels carry it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
