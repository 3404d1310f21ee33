package dev.gpuop.api.v1alpha1;

/** The device plugin part of the node agent: {@code nvidia.com/gpu} to the kubelet. */
public class DevicePluginSpec extends ComponentSpec {

    private ConfigRef config;
    private MpsSpec mps;

    /** NVIDIA's device plugin config file format v1, in a ConfigMap; absent means the built-in defaults. */
    public ConfigRef getConfig() {
        return config;
    }

    public void setConfig(ConfigRef config) {
        this.config = config;
    }

    /** Where MPS sharing keeps its files on the nodes; absent: NVIDIA's {@code /run/nvidia/mps}. */
    public MpsSpec getMps() {
        return mps;
    }

    public void setMps(MpsSpec mps) {
        this.mps = mps;
    }

    /** The MPS root on the nodes. */
    public String mpsRoot() {
        return mps == null ? MpsSpec.DEFAULT_ROOT : mps.rootOrDefault();
    }
}
