package dev.gpuop.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The state of one operand or one node. */
public enum ComponentState {
    /** Running and ready. */
    @JsonProperty("ready") READY,
    /** Expected to run and not (yet) ready; the message says why. */
    @JsonProperty("notReady") NOT_READY,
    /** Turned off by the policy or, for a node, by its labels. */
    @JsonProperty("disabled") DISABLED
}
