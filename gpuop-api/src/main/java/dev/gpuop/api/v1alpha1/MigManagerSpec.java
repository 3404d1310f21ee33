package dev.gpuop.api.v1alpha1;

/** NVIDIA's MIG manager, run unchanged on MIG-capable nodes when enabled. */
public class MigManagerSpec extends ComponentSpec {

    private ConfigRef config;

    /** The mig-parted config ConfigMap and its default ({@code all-disabled}). */
    public ConfigRef getConfig() {
        return config;
    }

    public void setConfig(ConfigRef config) {
        this.config = config;
    }
}
