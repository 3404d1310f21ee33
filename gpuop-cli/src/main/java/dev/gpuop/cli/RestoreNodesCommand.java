package dev.gpuop.cli;

import dev.gpuop.operator.controller.NodeRestorer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gpuop restore-nodes}: the chart's pre-delete hook; the nodes' containerd configs back as they were. */
@Command(name = "restore-nodes", mixinStandardHelpOptions = true,
    description = "Before the chart is uninstalled: turn gpuop's toolkit off in every ClusterPolicy and wait until "
        + "every node agent has run `toolkit uninstall`, so each node's containerd config and CDI spec are as they "
        + "were before gpuop. Exits 0 also when the wait times out (it says which nodes it did not reach), so that "
        + "the uninstall goes on.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.USAGE_LINE})
final class RestoreNodesCommand implements Callable<Integer> {

    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "${env:OPERATOR_NAMESPACE}",
        description = "Where the operator and its node agents run (env OPERATOR_NAMESPACE).")
    String namespace;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "240",
        description = "How long to wait for the node agents (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (namespace == null || namespace.isBlank()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "--namespace (or OPERATOR_NAMESPACE) is required: the namespace the operator runs in");
        }
        try (KubernetesClient k8s = new KubernetesClientBuilder().build()) {
            new NodeRestorer(k8s, namespace, spec.commandLine().getOut()).restore(Duration.ofSeconds(timeout));
        }
        return ExitCodes.OK;
    }
}
