package dev.gpuop.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.OperandStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What {@code gpuop status} shows, from what the operator and the node agents already published: the GPU nodes (one
 * list) with their labels and the agents' reports, and the ClusterPolicy's status. Pure, so the command's output is
 * tested without a cluster.
 *
 * @param policy the ClusterPolicy's name, or null when there is none
 * @param policyState its state: ready, notReady, ignored
 * @param nodes one row per GPU node
 * @param operands the policy's operands and their states
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ClusterStatusView(String policy, String policyState, List<NodeRow> nodes, List<OperandStatus> operands) {

    /**
     * One GPU node.
     *
     * @param name the node
     * @param distribution {@code k3s}, {@code rke2} or {@code containerd} (the operator's label)
     * @param driver the driver version and where it comes from: {@code 580.159.04 (host)} or {@code (container)}
     * @param gpus count and product ({@code 8x NVIDIA-H100-80GB-HBM3})
     * @param allocatable {@code nvidia.com/gpu} allocatable/capacity
     * @param health the node agent's state, and why not ready
     * @param validation the node checks: {@code passed} or the first failed stage
     * @param lastChange when the node's Ready condition last changed
     */
    record NodeRow(String name, String distribution, String driver, String gpus, String allocatable, String health,
                   String validation, String lastChange) {
    }

    static ClusterStatusView of(List<Node> nodes, ClusterPolicy policy) {
        List<NodeRow> rows = new ArrayList<>();
        for (Node n : nodes) {
            Map<String, String> l = n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
            if (!"true".equals(l.get("nvidia.com/gpu.present"))) {
                continue;
            }
            Map<String, String> a = n.getMetadata().getAnnotations() == null ? Map.of()
                : n.getMetadata().getAnnotations();
            rows.add(new NodeRow(n.getMetadata().getName(), l.getOrDefault("gpuop.dev/distribution", "-"),
                driver(l, a), l.getOrDefault("nvidia.com/gpu.count", "?") + "x " + l.getOrDefault(
                    "nvidia.com/gpu.product", "unknown"), gpuQuantity(n, true) + "/" + gpuQuantity(n, false),
                health(a), a.getOrDefault("gpuop.dev/validation", "-"), readyChange(n)));
        }
        rows.sort(Comparator.comparing(NodeRow::name));
        if (policy == null) {
            return new ClusterStatusView(null, null, rows, List.of());
        }
        var s = policy.getStatus();
        return new ClusterStatusView(policy.getMetadata().getName(), s == null || s.state() == null ? "unknown"
            : wire(s.state()), rows, s == null || s.operands() == null
                ? List.of() : s.operands());
    }

    /** An enum as the API writes it ({@code notReady}), as kubectl shows it. */
    static String wire(Enum<?> e) {
        return dev.gpuop.cli.doctor.WireNames.of(e);
    }

    private static String driver(Map<String, String> l, Map<String, String> a) {
        String version = l.containsKey("nvidia.com/cuda.driver.major") ? l.get("nvidia.com/cuda.driver.major") + "."
            + l.getOrDefault("nvidia.com/cuda.driver.minor", "?") + "." + l.getOrDefault("nvidia.com/cuda.driver.rev",
                "?") : "?";
        String from = switch (a.getOrDefault("gpuop.dev/driver-preinstalled", "")) {
            case "true" -> "host";
            case "false" -> "container";
            default -> "unknown";
        };
        return version + " (" + from + ")";
    }

    private static String gpuQuantity(Node n, boolean allocatable) {
        if (n.getStatus() == null) {
            return "0";
        }
        Map<String, Quantity> q = allocatable ? n.getStatus().getAllocatable() : n.getStatus().getCapacity();
        Quantity g = q == null ? null : q.get("nvidia.com/gpu");
        return g == null ? "0" : g.getAmount();
    }

    private static String health(Map<String, String> a) {
        String state = a.getOrDefault("gpuop.dev/node-agent-state", "no agent");
        String reason = a.getOrDefault("gpuop.dev/node-agent-reason", "");
        return reason.isEmpty() ? state : state + ": " + reason;
    }

    private static String readyChange(Node n) {
        if (n.getStatus() == null || n.getStatus().getConditions() == null) {
            return "-";
        }
        return n.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
            .map(NodeCondition::getLastTransitionTime).orElse("-");
    }

    /** The table: one line per GPU node, then the policy and its operands. */
    String table() {
        StringBuilder sb = new StringBuilder();
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"NODE", "DISTRIBUTION", "DRIVER", "GPUS", "ALLOCATABLE", "HEALTH", "VALIDATION",
            "LAST CHANGE"});
        nodes.forEach(r -> lines.add(new String[] {r.name(), r.distribution(), r.driver(), r.gpus(), r.allocatable(),
            r.health(), r.validation(), r.lastChange()}));
        int[] width = new int[lines.getFirst().length];
        lines.forEach(l -> {
            for (int i = 0; i < l.length; i++) {
                width[i] = Math.max(width[i], l[i].length());
            }
        });
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                sb.append(i == l.length - 1 ? l[i] : String.format("%-" + (width[i] + 2) + "s", l[i]));
            }
            sb.append('\n');
        }
        if (nodes.isEmpty()) {
            sb.append("(no node labelled nvidia.com/gpu.present=true)\n");
        }
        sb.append('\n').append(policy == null ? "no ClusterPolicy" : "ClusterPolicy " + policy + ": " + policyState)
            .append('\n');
        for (OperandStatus o : operands) {
            sb.append(String.format("  %-16s %s%s%n", o.name(), o.state() == null ? "unknown" : wire(o.state()),
                o.message() == null || o.message().isEmpty() ? "" : "  " + o.message()));
        }
        return sb.toString();
    }
}
