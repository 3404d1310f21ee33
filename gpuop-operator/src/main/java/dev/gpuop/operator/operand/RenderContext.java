package dev.gpuop.operator.operand;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.ClusterPolicySpec;
import dev.gpuop.operator.model.ClusterInfo;

/**
 * Everything an operand renders from, built fresh for each reconcile and never changed.
 *
 * @param policy the acting ClusterPolicy
 * @param cluster the observed cluster
 * @param settings the operator's own settings
 */
public record RenderContext(ClusterPolicy policy, ClusterInfo cluster, OperatorSettings settings) {

    /** The policy's spec, never null. */
    public ClusterPolicySpec spec() {
        return policy.spec();
    }

    /** The namespace operands live in. */
    public String namespace() {
        return settings.namespace();
    }
}
