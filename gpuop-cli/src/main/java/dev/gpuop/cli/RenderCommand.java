package dev.gpuop.cli;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.node.agent.JsonFieldErrors;
import dev.gpuop.operator.model.ClusterInfoObserver;
import dev.gpuop.operator.operand.OperatorSettings;
import dev.gpuop.operator.plan.DesiredState;
import dev.gpuop.operator.plan.PlanPrinter;
import dev.gpuop.operator.plan.Planner;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpuop render}: the operator's plan without a cluster, through the same code as the controller
 * ({@code Planner}). Prints every object it would apply and the labels it would set on each node.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
    description = "Print, as multi-document YAML, every object the operator would apply for a ClusterPolicy and the "
        + "labels it would set on each node (as Node documents; null removes a label). No cluster needed.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.USAGE_LINE,
        ExitCodes.CONFIG_REFUSED_LINE})
final class RenderCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--policy", paramLabel = "FILE", required = true, description = "A ClusterPolicy (YAML).")
    Path policy;

    @Option(names = "--nodes", paramLabel = "FILE", required = true,
        description = "Node objects: the output of 'kubectl get nodes -o yaml', one Node, or several documents.")
    Path nodes;

    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "gpu-operator",
        description = "The operator's namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--node-agent-image", paramLabel = "IMAGE", defaultValue = "gpuop/gpuop:0.1.0",
        description = "The node agent's image when the policy names none (default: ${DEFAULT-VALUE}).")
    String nodeAgentImage;

    @Option(names = "--summary", description = "A screenful for a person instead of the YAML: each operand's "
        + "objects, each GPU node's distribution, the DaemonSet that serves it and the labels it gets.")
    boolean summary;

    @Override
    public Integer call() throws IOException {
        ClusterPolicy p = read(policy, ClusterPolicy.class);
        DesiredState plan = Planner.plan(p, ClusterInfoObserver.observe(readNodes(nodes)),
            new OperatorSettings(namespace, nodeAgentImage), null);
        spec.commandLine().getOut().print(summary ? PlanPrinter.summary(plan) : PlanPrinter.yaml(plan));
        spec.commandLine().getOut().flush();
        if (!plan.valid()) {
            plan.problems().forEach(x -> spec.commandLine().getErr().println("gpuop render: " + x));
            return ExitCodes.CONFIG_REFUSED;
        }
        return ExitCodes.OK;
    }

    private <T> T read(Path file, Class<T> type) throws IOException {
        try {
            return Serialization.unmarshal(Files.readString(file), type);
        } catch (RuntimeException e) {
            String field = JsonFieldErrors.describe(e);
            throw new ParameterException(spec.commandLine(), file + ": not a " + type.getSimpleName() + ": "
                + (field != null ? field : e.getMessage()));
        }
    }

    private List<Node> readNodes(Path file) throws IOException {
        Object parsed;
        try {
            parsed = Serialization.unmarshal(Files.readString(file));
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), file + ": not YAML of Node objects: " + e.getMessage());
        }
        List<Object> items = new ArrayList<>();
        if (parsed instanceof KubernetesList list) {
            items.addAll(list.getItems());
        } else if (parsed instanceof List<?> docs) {
            items.addAll(docs);
        } else {
            items.add(parsed);
        }
        List<Node> out = new ArrayList<>();
        for (Object o : items) {
            if (!(o instanceof Node n)) {
                throw new ParameterException(spec.commandLine(), file + ": expected Node objects, found "
                    + (o == null ? "nothing" : o.getClass().getSimpleName()));
            }
            out.add(n);
        }
        return out;
    }
}
