package dev.gpuop.operator.plan;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plan as multi-document YAML: every object in apply order, then one {@code Node} document per node whose labels
 * change (a null value removes the label, as in the merge patch the controller sends), or, for a policy that cannot
 * be honoured, one comment line per problem.
 */
public final class PlanPrinter {

    private PlanPrinter() {
    }

    /**
     * The plan in a screenful, for a person: each operand with its objects (kind/name) or "off", then each GPU node
     * with its distribution, the node agent DaemonSet that serves it, and the labels gpuop sets on it.
     */
    public static String summary(DesiredState plan) {
        StringBuilder out = new StringBuilder();
        if (!plan.valid()) {
            plan.problems().forEach(p -> out.append("policy problem: ").append(p).append('\n'));
            return out.toString();
        }
        out.append("Operands, in the order they are applied:\n");
        for (OperandPlan op : plan.operands()) {
            out.append(String.format("  %-15s %s%n", op.id().id(), !op.enabled() ? "off"
                : op.objects().stream().map(o -> o.getKind() + "/" + o.getMetadata().getName())
                    .collect(java.util.stream.Collectors.joining(", "))));
        }
        out.append("GPU nodes (").append(plan.cluster().gpuNodes().size()).append(" of ")
            .append(plan.cluster().nodeCount()).append("):\n");
        for (var n : plan.cluster().gpuNodes()) {
            Map<String, String> labels = plan.nodeLabels().getOrDefault(n.name(), Map.of());
            out.append(String.format("  %-14s %-10s served by %s%n", n.name(), n.distribution().id(),
                dev.gpuop.operator.operand.NodeAgentOperand.name(n.distribution(),
                    dev.gpuop.operator.model.AgentParts.off(n))));
            String deploy = "nvidia.com/gpu.deploy.";
            String set = labels.entrySet().stream().filter(e -> e.getValue() != null && !e.getKey()
                .startsWith(deploy)).map(e -> e.getKey() + "=" + e.getValue()).sorted()
                .collect(java.util.stream.Collectors.joining(" "));
            String parts = labels.entrySet().stream().filter(e -> e.getValue() != null && e.getKey()
                .startsWith(deploy)).map(e -> e.getKey().substring(deploy.length())
                    + ("true".equals(e.getValue()) ? "" : "=" + e.getValue())).sorted()
                .collect(java.util.stream.Collectors.joining(" "));
            if (!set.isEmpty()) {
                out.append("                 labels  ").append(set).append('\n');
            }
            if (!parts.isEmpty()) {
                out.append("                 deploys ").append(parts).append('\n');
            }
        }
        return out.toString();
    }

    /** The YAML. */
    public static String yaml(DesiredState plan) {
        StringBuilder out = new StringBuilder();
        if (!plan.valid()) {
            plan.problems().forEach(p -> out.append("# policy problem: ").append(p).append('\n'));
            return out.toString();
        }
        for (OperandPlan op : plan.operands()) {
            for (HasMetadata o : op.objects()) {
                out.append(document(Serialization.asYaml(o)));
            }
        }
        plan.nodeLabels().forEach((node, labels) -> {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("apiVersion", "v1");
            doc.put("kind", "Node");
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("name", node);
            meta.put("labels", labels);
            doc.put("metadata", meta);
            out.append(document(Serialization.asYaml(doc)));
        });
        return out.toString();
    }

    private static String document(String yaml) {
        return yaml.startsWith("---") ? yaml : "---\n" + yaml;
    }
}
