package dev.gpuop.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The policy's overall state, with NVIDIA's names. */
public enum PolicyState {
    /** Every enabled operand is ready (or there are no GPU nodes yet). */
    @JsonProperty("ready") READY,
    /** Something is not ready or the policy cannot be honoured; the conditions say what. */
    @JsonProperty("notReady") NOT_READY,
    /** Another, older ClusterPolicy is the one that acts. */
    @JsonProperty("ignored") IGNORED
}
