package dev.gpuop.cli;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gpuop status}: the GPU nodes and the operands, from what the operator and the agents published. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "One line per GPU node (distribution, driver and where it comes from, GPUs, allocatable/capacity, "
        + "the node agent's health, the node checks, last change), then the ClusterPolicy and its operands. Reads "
        + "one list of nodes and the ClusterPolicy: no load per node. --watch redraws when something changes.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE,
        ExitCodes.USAGE_LINE})
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--kubeconfig", paramLabel = "FILE",
        description = "The cluster's kubeconfig (default: KUBECONFIG, ~/.kube/config, or the pod's service account).")
    Path kubeconfig;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
        description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--watch", description = "Redraw whenever the nodes or the policy change (every 2 s at most).")
    boolean watch;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (!List.of("table", "json", "yaml").contains(output)) {
            throw new ParameterException(spec.commandLine(), "--output must be table, json or yaml, not " + output);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (KubernetesClient k8s = Kubeconfigs.client(spec.commandLine(), kubeconfig)) {
            String last = null;
            do {
                String now = render(read(k8s));
                if (!now.equals(last)) {
                    if (watch && last != null) {
                        out.println("---");
                    }
                    out.print(now);
                    out.flush();
                    last = now;
                }
                if (watch) {
                    Thread.sleep(2000);
                }
            } while (watch);
        } catch (KubernetesClientException e) {
            spec.commandLine().getErr().println("gpuop status: the API server did not answer: "
                + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getMessage()));
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    private static ClusterStatusView read(KubernetesClient k8s) {
        List<ClusterPolicy> policies = k8s.resources(ClusterPolicy.class).list().getItems();
        ClusterPolicy active = policies.stream().min(java.util.Comparator.comparing(
            p -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp()))
            .orElse(null);
        return ClusterStatusView.of(k8s.nodes().withLabel("nvidia.com/gpu.present", "true").list().getItems(),
            active);
    }

    private String render(ClusterStatusView v) {
        return switch (output) {
            case "json" -> Serialization.asJson(v) + "\n";
            case "yaml" -> Serialization.asYaml(v);
            default -> v.table();
        };
    }
}
