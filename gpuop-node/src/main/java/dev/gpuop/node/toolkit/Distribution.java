package dev.gpuop.node.toolkit;

import java.util.Locale;

/** Who runs containerd on the node, which decides which file gpuop may edit and how containerd restarts. */
public enum Distribution {
    /** containerd on its own, configured by {@code /etc/containerd/config.toml}. */
    CONTAINERD("/etc/containerd/config.toml", "/run/containerd/containerd.sock"),
    /** K3s: regenerates {@code config.toml} from a template on every start. */
    K3S("/var/lib/rancher/k3s/agent/etc/containerd/config.toml", "/run/k3s/containerd/containerd.sock"),
    /** RKE2: runs K3s's agent code, so the same template rules under its own data dir. */
    RKE2("/var/lib/rancher/rke2/agent/etc/containerd/config.toml", "/run/k3s/containerd/containerd.sock");

    private final String defaultConfig;
    private final String defaultSocket;

    Distribution(String defaultConfig, String defaultSocket) {
        this.defaultConfig = defaultConfig;
        this.defaultSocket = defaultSocket;
    }

    /** The config path containerd reads on this distribution (for K3s/RKE2: the generated one). */
    public String defaultConfig() {
        return defaultConfig;
    }

    /** The containerd socket of this distribution. */
    public String defaultSocket() {
        return defaultSocket;
    }

    /** True when the distribution renders containerd's config from a template at every start. */
    public boolean rendersConfig() {
        return this != CONTAINERD;
    }

    /** The lower-case name used on the command line and in messages. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
