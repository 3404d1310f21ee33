/**
 * The {@code gpuop.dev/v1alpha1} API: {@link dev.gpuop.api.v1alpha1.ClusterPolicy}, with NVIDIA's field names for
 * what gpuop supports, so a values file or policy written for NVIDIA's operator reads the same here. Plain data:
 * defaults that depend on context (an absent section) live in accessor methods, not in the operator.
 */
package dev.gpuop.api.v1alpha1;
