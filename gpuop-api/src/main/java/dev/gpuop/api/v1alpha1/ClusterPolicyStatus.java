package dev.gpuop.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What the operator last found. {@code conditions} holds {@code Ready} and {@code Error}, kept opposite as NVIDIA's
 * are. {@code nodes} lists nodes that are not ready first and is cut at {@value #MAX_NODES} entries (the rest are
 * counted in {@code nodesOmitted}) so the object stays small on a 5,000-node cluster.
 *
 * @param state the overall state
 * @param namespace where the operands run
 * @param observedGeneration the spec generation this status describes
 * @param conditions {@code Ready} and {@code Error}
 * @param operands each operand's state, in apply order
 * @param gpuNodes GPU nodes seen
 * @param readyNodes GPU nodes whose node agent reports ready
 * @param nodes per-node states
 * @param nodesOmitted nodes not listed in {@code nodes}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterPolicyStatus(PolicyState state, String namespace, Long observedGeneration,
                                  List<Condition> conditions, List<OperandStatus> operands, Integer gpuNodes,
                                  Integer readyNodes, List<NodeStatus> nodes, Integer nodesOmitted) {

    /** The most nodes listed one by one. */
    public static final int MAX_NODES = 100;
}
