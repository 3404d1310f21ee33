package dev.gpuop.api.v1alpha1;

/**
 * A ConfigMap of named configurations and the one to use by default (NVIDIA's {@code devicePlugin.config} and
 * {@code migManager.config}); a node picks another with a label.
 *
 * @param name the ConfigMap, in the operator's namespace
 * @param defaultConfig the key used on nodes without a selecting label ({@code default} in YAML)
 */
public record ConfigRef(String name,
                        @com.fasterxml.jackson.annotation.JsonProperty("default") String defaultConfig) {
}
