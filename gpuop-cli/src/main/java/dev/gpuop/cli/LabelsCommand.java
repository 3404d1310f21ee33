package dev.gpuop.cli;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuHosts;
import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.labels.GfdLabels;
import dev.gpuop.node.labels.HostFacts;
import dev.gpuop.node.labels.NodeLabels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gpuop labels}: GPU feature discovery's node labels for this host, without a cluster, as GFD's one-shot mode
 * writes them ({@code key=value} lines), so the two can be compared line for line.
 */
@Command(name = "labels", mixinStandardHelpOptions = true,
    description = "Print the node labels NVIDIA's GPU feature discovery would write for this host (product, "
        + "count, memory, family, compute capability, machine, CUDA driver and runtime versions in both key styles, "
        + "MIG and MPS capability, sharing, the MIG strategy's labels, PCI mode, vGPU, timestamp), as the node "
        + "agent writes them.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.USAGE_LINE,
        ExitCodes.NO_DRIVER_LINE, ExitCodes.DRIVER_ERROR_LINE})
final class LabelsCommand implements Callable<Integer> {

    /** Output formats. */
    enum Format { ENV, JSON }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "env",
        description = "env (GFD's file: key=value lines, sorted) or json (default: ${DEFAULT-VALUE}).")
    Format output;

    @Option(names = "--simulate", paramLabel = "FIXTURE",
        description = "Label a simulated host (mx150-laptop, h100-sxm-8x, a100-mig-mixed, h200, or a fixture file).")
    String simulate;

    @Option(names = "--mig-strategy", paramLabel = "STRATEGY",
        description = "none, single or mixed (default: the config file's, else env MIG_STRATEGY, else none).")
    GfdLabels.MigStrategy migStrategy;

    @Option(names = "--config-file", paramLabel = "FILE",
        description = "NVIDIA's device plugin config (v1): its sharing and MIG strategy, as the node agent serves "
            + "them.")
    Path configFile;

    @Option(names = "--host-root", paramLabel = "DIR", defaultValue = "/",
        description = "Where the host's /sys is read from (default: ${DEFAULT-VALUE}).")
    Path hostRoot;

    @Option(names = "--machine-type-file", paramLabel = "FILE",
        description = "Read the machine type from FILE instead of /sys/class/dmi/id/product_name (GFD's flag).")
    Path machineTypeFile;

    @Option(names = "--no-timestamp", description = "Leave out nvidia.com/gfd.timestamp (GFD's flag).")
    boolean noTimestamp;

    @Mixin
    DriverOptions driver;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DevicePluginSettings settings = configFile != null ? DevicePluginConfigs.load(configFile, System.getenv())
            : DevicePluginSettings.fromEnv(System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        try (GpuHost host = GpuHosts.open(simulate, driver.libraries())) {
            HostFacts facts = HostFacts.read(hostRoot, host.gpus().stream().map(g -> g.info()).toList(),
                machineTypeFile);
            SortedMap<String, String> labels = NodeLabels.of(host,
                migStrategy != null ? migStrategy : NodeLabels.migStrategy(settings), NodeLabels.sharing(settings),
                facts, noTimestamp ? null : Instant.now().getEpochSecond());
            if (output == Format.JSON) {
                out.println(GpusCommand.json().writeValueAsString(labels));
            } else {
                labels.forEach((k, v) -> out.println(k + "=" + v));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
