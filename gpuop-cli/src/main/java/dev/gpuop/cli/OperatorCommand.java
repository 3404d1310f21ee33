package dev.gpuop.cli;

import dev.gpuop.operator.controller.GpuopOperator;
import dev.gpuop.operator.operand.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gpuop operator}: the operator Deployment's process; runs until SIGTERM. */
@Command(name = "operator", mixinStandardHelpOptions = true,
    description = "Run the operator: reconcile the ClusterPolicy (gpuop.dev) into operands, node labels and status. "
        + "Uses the in-cluster service account, or ~/.kube/config and KUBECONFIG outside a cluster.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE,
        ExitCodes.USAGE_LINE})
final class OperatorCommand implements Callable<Integer> {

    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "${env:OPERATOR_NAMESPACE}",
        description = "Where operands run and the leader Lease lives (env OPERATOR_NAMESPACE).")
    String namespace;

    @Option(names = "--node-agent-image", paramLabel = "IMAGE", defaultValue = "${env:NODE_AGENT_IMAGE}",
        description = "The node agent's image unless the ClusterPolicy names one (env NODE_AGENT_IMAGE; the chart "
            + "passes the operator's own image).")
    String nodeAgentImage;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "8080",
        description = "Port of /metrics (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--health-port", paramLabel = "PORT", defaultValue = "8081",
        description = "Port of /healthz and /readyz (default: ${DEFAULT-VALUE}).")
    int healthPort;

    @Option(names = "--leader-elect", arity = "0..1", defaultValue = "true", fallbackValue = "true",
        description = "Elect one active replica through a Lease (default: ${DEFAULT-VALUE}).")
    boolean leaderElect;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
        description = "trace, debug, info, warn or error (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Override
    public Integer call() throws Exception {
        if (namespace == null || namespace.isBlank()) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "--namespace (or OPERATOR_NAMESPACE) is required: the namespace the operator runs in");
        }
        Logger.getLogger("").setLevel(level(logLevel));
        KubernetesClient client = new KubernetesClientBuilder().build();
        OperatorSettings settings = new OperatorSettings(namespace, nodeAgentImage, System.getenv("DRIVER_IMAGE"));
        GpuopOperator operator = new GpuopOperator(client, settings, leaderElect, metricsPort, healthPort, true);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            operator.close();
            client.close();
            stopped.countDown();
        }));
        stopped.await();
        return ExitCodes.OK;
    }

    static Level level(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.FINEST;
            case "debug" -> Level.FINE;
            case "warn", "warning" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            default -> Level.INFO;
        };
    }
}
