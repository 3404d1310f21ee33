package dev.gpuop.api.v1alpha1;

/** The device plugin part of the node agent: {@code nvidia.com/gpu} to the kubelet. */
public class DevicePluginSpec extends ComponentSpec {

    private ConfigRef config;

    /** NVIDIA's device plugin config file format v1, in a ConfigMap; absent means the built-in defaults. */
    public ConfigRef getConfig() {
        return config;
    }

    public void setConfig(ConfigRef config) {
        this.config = config;
    }
}
