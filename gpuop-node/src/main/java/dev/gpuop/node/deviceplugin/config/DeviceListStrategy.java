package dev.gpuop.node.deviceplugin.config;

/** How {@code Allocate} tells the container runtime which devices a container gets. */
public enum DeviceListStrategy {
    /** {@code NVIDIA_VISIBLE_DEVICES=<ids>}, read by nvidia-container-runtime. */
    ENVVAR("envvar"),
    /** One {@code /dev/null} mount per device under {@code /var/run/nvidia-container-devices}. */
    VOLUME_MOUNTS("volume-mounts"),
    /** A CDI annotation on the container, for runtimes that read CDI annotations. */
    CDI_ANNOTATIONS("cdi-annotations"),
    /** CDI device names in the response's CDI field, passed through CRI (containerd with enable_cdi). */
    CDI_CRI("cdi-cri");

    private final String configName;

    DeviceListStrategy(String configName) {
        this.configName = configName;
    }

    /** The name in NVIDIA's config file. */
    public String configName() {
        return configName;
    }

    /** True for the strategies that use CDI names. */
    public boolean isCdi() {
        return this == CDI_ANNOTATIONS || this == CDI_CRI;
    }
}
