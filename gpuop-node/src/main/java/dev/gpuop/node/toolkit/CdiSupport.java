package dev.gpuop.node.toolkit;

/** How a containerd release treats CDI in its CRI plugin. */
public enum CdiSupport {
    /** containerd 1.6 and older: no CDI in the CRI plugin; only the NVIDIA runtime's own CDI mode works. */
    NONE,
    /** containerd 1.7: CDI is there but {@code enable_cdi} defaults to false. */
    OFF_BY_DEFAULT,
    /** containerd 2.x: CDI is on unless turned off. */
    ON_BY_DEFAULT;

    /** What a containerd version implies; with no binary to ask, what the config version implies. */
    public static CdiSupport of(ContainerdVersion binary, ConfigVersion config) {
        if (binary != null) {
            if (binary.major() >= 2) {
                return ON_BY_DEFAULT;
            }
            return binary.minor() >= 7 ? OFF_BY_DEFAULT : NONE;
        }
        return config == ConfigVersion.V2 ? OFF_BY_DEFAULT : ON_BY_DEFAULT;
    }
}
