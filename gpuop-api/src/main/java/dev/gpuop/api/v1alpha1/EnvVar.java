package dev.gpuop.api.v1alpha1;

import io.fabric8.generator.annotation.Required;

/**
 * One environment variable of an operand, as NVIDIA's ClusterPolicy writes them ({@code name}/{@code value} only).
 *
 * @param name the variable
 * @param value its value (empty when absent)
 */
public record EnvVar(@Required String name, String value) {
}
