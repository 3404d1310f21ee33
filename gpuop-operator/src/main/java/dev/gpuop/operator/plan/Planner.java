package dev.gpuop.operator.plan;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.ConfigRef;
import dev.gpuop.operator.model.ClusterInfo;
import dev.gpuop.operator.model.NodeLabeler;
import dev.gpuop.operator.model.PolicyException;
import dev.gpuop.operator.model.PolicyProblem;
import dev.gpuop.operator.model.PolicyValidator;
import dev.gpuop.operator.operand.Operand;
import dev.gpuop.operator.operand.OperatorSettings;
import dev.gpuop.operator.operand.RenderContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one code path from a policy and a cluster to what should exist: validate, render every operand in order,
 * stamp, and compute node labels. The controller applies its result; {@code gpuop render} prints it.
 */
public final class Planner {

    private Planner() {
    }

    /**
     * Plans one reconcile.
     *
     * @param devicePluginConfig the data of the policy's device plugin ConfigMap (see {@link PolicyValidator})
     */
    public static DesiredState plan(ClusterPolicy policy, ClusterInfo cluster, OperatorSettings settings,
                                    Map<String, String> devicePluginConfig) {
        DesiredState operands = planOperands(policy, cluster, settings, devicePluginConfig);
        return operands.valid() ? operands.withNodeLabels(nodeLabels(policy, cluster)) : operands;
    }

    /**
     * Validates and renders the operands, without the node labels: the controller writes a policy change's objects
     * first and plans the labels after them: at thousands of nodes the labels are most of a plan's time, and a
     * changed DaemonSet does not depend on them.
     */
    public static DesiredState planOperands(ClusterPolicy policy, ClusterInfo cluster, OperatorSettings settings,
                                            Map<String, String> devicePluginConfig) {
        List<PolicyProblem> problems = new ArrayList<>(PolicyValidator.validate(policy.spec(), cluster,
            devicePluginConfig));
        RenderContext ctx = new RenderContext(policy, cluster, settings);
        List<OperandPlan> plans = new ArrayList<>();
        // the operands render only what the validator passed: an env entry without a name, which it names, would
        // otherwise fail the render with a NullPointerException and the policy would get no condition at all
        for (Operand op : problems.isEmpty() ? Operand.all() : List.<Operand>of()) {
            try {
                List<HasMetadata> objects = op.desired(ctx);
                objects.forEach(o -> Stamp.stamp(o, op.id(), policy, settings.namespace()));
                plans.add(new OperandPlan(op.id(), op.enabled(ctx), objects, op.kinds()));
            } catch (PolicyException e) {
                problems.add(e.problem());
            }
        }
        if (!problems.isEmpty()) {
            // operands that share a section (discovery and the node agent both use nodeAgent) report it once
            return new DesiredState(cluster, List.of(), Map.of(), problems.stream().distinct().toList());
        }
        return new DesiredState(cluster, plans, Map.of(), List.of());
    }

    /** The label changes per node that a valid policy wants on this cluster; a null value removes the label. */
    public static Map<String, Map<String, String>> nodeLabels(ClusterPolicy policy, ClusterInfo cluster) {
        return NodeLabeler.changes(cluster, migDefault(policy));
    }

    /** The MIG layout new MIG-capable nodes get, when the MIG manager runs: its default, NVIDIA's all-disabled. */
    static String migDefault(ClusterPolicy policy) {
        ConfigRef c = policy.spec().migManager().getConfig();
        if (!policy.spec().migManager().enabledOr(true)) {
            return null;
        }
        return c == null || c.defaultConfig() == null ? "all-disabled"
            : c.defaultConfig().isBlank() ? null : c.defaultConfig();
    }
}
