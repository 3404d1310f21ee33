package dev.gpuop.node.toolkit;

/** How containerd is restarted: the way the host runs it. containerd has no config reload, only a restart. */
public sealed interface RestartMethod {

    /** containerd (or the K3s/RKE2 service that runs it) is a systemd unit: {@code systemctl restart <unit>}. */
    record Systemd(String unit) implements RestartMethod {
        @Override
        public String toString() {
            return "systemctl restart " + unit;
        }
    }

    /**
     * No unit to ask: stop the process behind the socket with SIGTERM and let its supervisor start it again (what
     * NVIDIA's toolkit does with SIGHUP, which containerd does not handle either).
     */
    record SignalOwner(long pid) implements RestartMethod {
        @Override
        public String toString() {
            return "SIGTERM to pid " + pid + " (its supervisor restarts it)";
        }
    }
}
