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
