package dev.gpuop.operator.plan;

import dev.gpuop.operator.model.ClusterInfo;
import dev.gpuop.operator.model.PolicyProblem;
import java.util.List;
import java.util.Map;

/**
 * What one reconcile wants, computed without touching the cluster: objects per operand in apply order and label
 * changes per node; or, when the policy cannot be honoured, the problems and nothing to apply (no half-applied
 * DaemonSet).
 *
 * @param cluster what it was computed from
 * @param operands per operand, in apply order (empty when there are problems)
 * @param nodeLabels label changes per node; a null value removes the label
 * @param problems what cannot be honoured, each naming its field
 */
public record DesiredState(ClusterInfo cluster, List<OperandPlan> operands,
                           Map<String, Map<String, String>> nodeLabels, List<PolicyProblem> problems) {

    /** True when the policy can be honoured. */
    public boolean valid() {
        return problems.isEmpty();
    }

    /** The same plan with these node label changes. */
    public DesiredState withNodeLabels(Map<String, Map<String, String>> labels) {
        return new DesiredState(cluster, operands, labels, problems);
    }
}
