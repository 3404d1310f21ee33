package dev.gpuop.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Default;
import java.util.Map;

/**
 * Cluster-wide settings.
 *
 * @param defaultRuntime the container runtime NVIDIA's users name; gpuop reads each node's runtime itself, so only
 *     {@code containerd} is honoured and anything else is an error
 * @param runtimeClass the RuntimeClass (and containerd handler) gpuop creates
 * @param labels labels added to every object gpuop creates
 * @param annotations annotations added to every object gpuop creates
 */
public record OperatorSpec(ContainerRuntime defaultRuntime, @Default("nvidia") String runtimeClass,
                           Map<String, String> labels, Map<String, String> annotations) {

    /** The RuntimeClass name, {@code nvidia} unless set. */
    public String runtimeClassOrDefault() {
        return runtimeClass == null || runtimeClass.isBlank() ? "nvidia" : runtimeClass;
    }

    /** Container runtimes NVIDIA's CRD lists. */
    public enum ContainerRuntime {
        @JsonProperty("containerd") CONTAINERD,
        @JsonProperty("crio") CRIO,
        @JsonProperty("docker") DOCKER
    }
}
