package dev.gpuop.api.v1alpha1;

/**
 * Container Device Interface.
 *
 * @param enabled write CDI specs and hand GPUs to containers by CDI name (default true, as NVIDIA's since v25.10)
 * @param defaultMode NVIDIA's deprecated {@code cdi.default}; accepted and ignored
 */
public record CdiSpec(Boolean enabled, @com.fasterxml.jackson.annotation.JsonProperty("default") Boolean defaultMode) {

    /** Whether CDI is on. */
    public boolean isEnabled() {
        return enabled == null || enabled;
    }
}
