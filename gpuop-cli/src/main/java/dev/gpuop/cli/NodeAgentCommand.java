package dev.gpuop.cli;

import dev.gpuop.node.agent.NodeAgent;
import dev.gpuop.node.agent.NodeAgentConfig;
import dev.gpuop.node.agent.NodeLogFormat;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gpuop node-agent}: the image's entry point on every GPU node; runs until SIGTERM. */
@Command(name = "node-agent", mixinStandardHelpOptions = true,
    description = "Run the node agent: the device plugin for nvidia.com/gpu (with GPU health that recovers), "
        + "and /healthz, /readyz, /metrics. Stops cleanly on SIGTERM.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE,
        ExitCodes.USAGE_LINE, ExitCodes.NO_DRIVER_LINE, ExitCodes.DRIVER_ERROR_LINE})
final class NodeAgentCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", required = true,
        description = "The node agent config (YAML): what the operator renders into its ConfigMap.")
    Path config;

    @Option(names = "--simulate", paramLabel = "FIXTURE", defaultValue = "${env:GPUOP_SIMULATE}",
        description = "Serve simulated GPUs (a shipped fixture or a fixture file) instead of the driver's (env "
            + "GPUOP_SIMULATE, so a ClusterPolicy's nodeAgent.env can set it on a test cluster).")
    String simulate;

    @Option(names = "--kubelet-dir", paramLabel = "DIR",
        description = "The kubelet's device-plugin directory (default: /var/lib/kubelet/device-plugins).")
    Path kubeletDir;

    @Option(names = "--node-name", paramLabel = "NAME",
        description = "This node's name (default: the NODE_NAME variable, else the host name).")
    String nodeName;

    @Option(names = "--parts-off", paramLabel = "PART", split = ",",
        description = "Parts not to run on this node, by NVIDIA's names: device-plugin, gpu-feature-discovery, "
            + "dcgm-exporter (the operator sets it for nodes labelled nvidia.com/gpu.deploy.<part>=false or "
            + "paused-for-mig-change).")
    List<String> partsOff = List.of();

    @Override
    public Integer call() throws Exception {
        NodeAgentConfig c = NodeAgentConfig.load(config);
        try {
            c = c.withPartsOff(partsOff);
        } catch (IllegalArgumentException e) {
            System.err.println("gpuop node-agent: --parts-off: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        String node = nodeName != null ? nodeName : c.nodeName() != null ? c.nodeName()
            : System.getenv().getOrDefault("NODE_NAME", InetAddress.getLocalHost().getHostName());
        NodeAgentConfig.DevicePlugin dp = c.devicePlugin();
        if (kubeletDir != null) {
            dp = new NodeAgentConfig.DevicePlugin(dp.enabled(), kubeletDir.toString(), dp.configFile(), dp.config(),
                dp.healthRecoveryPeriod(), dp.healthPollInterval(), dp.mpsDir());
        }
        NodeLogFormat.install(node);
        NodeAgent agent = new NodeAgent(new NodeAgentConfig(node, dp, c.server(), c.discoveryOnly(),
            c.featureLabels(), c.exporter(), c.cdi(), c.validation(), c.migManager()), simulate,
            System.getenv());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            agent.close();
            stopped.countDown();
        }));
        agent.start();
        stopped.await();
        return ExitCodes.OK;
    }
}
