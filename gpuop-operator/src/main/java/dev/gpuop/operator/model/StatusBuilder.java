package dev.gpuop.operator.model;

import dev.gpuop.api.v1alpha1.ClusterPolicyStatus;
import dev.gpuop.api.v1alpha1.ComponentState;
import dev.gpuop.api.v1alpha1.NodeStatus;
import dev.gpuop.api.v1alpha1.OperandStatus;
import dev.gpuop.api.v1alpha1.PolicyState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds the policy's status from what one reconcile found. Pure, and stable: a condition keeps its
 * {@code lastTransitionTime} while its status stays the same, so an unchanged cluster gives an equal status and the
 * controller writes nothing.
 */
public final class StatusBuilder {

    /** Ready and Error reasons. */
    public static final String RECONCILED = "Reconciled";
    /** The policy asks for something gpuop cannot do. */
    public static final String POLICY_INVALID = "PolicyInvalid";
    /** Some enabled operand is not ready. */
    public static final String OPERAND_NOT_READY = "OperandNotReady";
    /** Ready, but no GPU node yet. */
    public static final String NO_GPU_NODES = "NoGPUNodes";
    /** Another ClusterPolicy is older. */
    public static final String IGNORED = "Ignored";

    private StatusBuilder() {
    }

    /**
     * The status.
     *
     * @param operands each operand's state in apply order (empty when the policy is invalid)
     * @param problems what cannot be honoured
     * @param previous the status now on the object, or null
     */
    public static ClusterPolicyStatus build(long generation, String namespace, ClusterInfo cluster,
                                            List<OperandStatus> operands, List<PolicyProblem> problems,
                                            ClusterPolicyStatus previous, Instant now) {
        List<NodeStatus> nodes = cluster.gpuNodes().stream().map(StatusBuilder::node).toList();
        int ready = (int) nodes.stream().filter(n -> n.state() == ComponentState.READY).count();
        List<NodeStatus> listed = nodes.stream().sorted(Comparator.comparing((NodeStatus n) -> n.state()
            == ComponentState.READY).thenComparing(NodeStatus::name)).limit(ClusterPolicyStatus.MAX_NODES).toList();
        PolicyState state;
        String reason;
        String message;
        if (!problems.isEmpty()) {
            state = PolicyState.NOT_READY;
            reason = POLICY_INVALID;
            message = problems.stream().map(PolicyProblem::toString).collect(Collectors.joining("; "));
        } else {
            List<String> notReady = operands.stream().filter(o -> o.state() == ComponentState.NOT_READY)
                .map(o -> o.name() + " (" + o.message() + ")").toList();
            state = notReady.isEmpty() ? PolicyState.READY : PolicyState.NOT_READY;
            reason = !notReady.isEmpty() ? OPERAND_NOT_READY : cluster.gpuNodes().isEmpty() ? NO_GPU_NODES
                : RECONCILED;
            message = !notReady.isEmpty() ? "not ready: " + String.join(", ", notReady)
                : cluster.gpuNodes().isEmpty() ? "no GPU node yet (label nvidia.com/gpu.present=true, or NFD's "
                + "pci-10de label)" : "all operands ready on " + cluster.gpuNodes().size() + " GPU node(s)";
        }
        List<Condition> conditions = conditions(state == PolicyState.READY, reason, message, generation,
            previous, now);
        // an empty list is stored as absent, so it reads back as null: use null, or the status never compares equal
        return new ClusterPolicyStatus(state, namespace, generation, conditions, operands.isEmpty() ? null : operands,
            cluster.gpuNodes().size(), ready, listed.isEmpty() ? null : listed, nodes.size() - listed.size());
    }

    /** The status of a policy that is not the oldest. */
    public static ClusterPolicyStatus ignored(long generation, String actingPolicy, ClusterPolicyStatus previous,
                                              Instant now) {
        return new ClusterPolicyStatus(PolicyState.IGNORED, null, generation, conditions(false, IGNORED,
            "ClusterPolicy " + actingPolicy + " is older and is the one that acts; delete this one", generation,
            previous, now), null, null, null, null, null);
    }

    static NodeStatus node(GpuNode n) {
        boolean off = "false".equals(n.label(NodeLabels.DEPLOY_OPERANDS))
            || "false".equals(n.label(NodeLabels.deploy("node-agent")));
        ComponentState s = off ? ComponentState.DISABLED : switch (n.agent()) {
            case READY -> ComponentState.READY;
            case NOT_READY, ABSENT -> ComponentState.NOT_READY;
        };
        String message = off ? "operands turned off by the node's nvidia.com/gpu.deploy labels" : agentMessage(n);
        String driver = switch (n.driver()) {
            case PREINSTALLED -> "preinstalled";
            case ABSENT -> "container";
            case UNKNOWN -> "unknown";
        };
        return new NodeStatus(n.name(), s, n.distribution().id(), n.containerRuntime(), driver, message,
            n.validation() == null || n.validation().isEmpty() ? null : n.validation());
    }

    private static String agentMessage(GpuNode n) {
        return switch (n.agent()) {
            case READY -> "";
            case NOT_READY -> n.agentReason();
            case ABSENT -> "the node agent has not reported yet (pod pending, starting, or failing)";
        };
    }

    static List<Condition> conditions(boolean ready, String reason, String message, long generation,
                                      ClusterPolicyStatus previous, Instant now) {
        List<Condition> out = new ArrayList<>();
        out.add(condition("Ready", ready, reason, message, generation, previous, now));
        out.add(condition("Error", !ready && !reason.equals(OPERAND_NOT_READY), ready ? "Ready" : reason,
            ready ? "" : message, generation, previous, now));
        return out;
    }

    private static Condition condition(String type, boolean on, String reason, String message, long generation,
                                       ClusterPolicyStatus previous, Instant now) {
        String status = on ? "True" : "False";
        String since = now.toString();
        if (previous != null && previous.conditions() != null) {
            for (Condition c : previous.conditions()) {
                if (type.equals(c.getType()) && status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                    since = c.getLastTransitionTime();
                }
            }
        }
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
            .withObservedGeneration(generation).withLastTransitionTime(since).build();
    }
}
