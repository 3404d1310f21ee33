package dev.gpuop.node.agent;

import dev.gpuop.gpu.DriverRoot;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.node.deviceplugin.server.DevicePluginManager;
import dev.gpuop.node.toolkit.ContainerdView;
import dev.gpuop.gpu.host.Distribution;
import dev.gpuop.node.validation.CudaProcess;
import dev.gpuop.node.validation.CudaStage;
import dev.gpuop.node.validation.DriverLibraryLinks;
import dev.gpuop.node.validation.KubeletAllocatable;
import dev.gpuop.node.validation.NodeValidator;
import dev.gpuop.node.validation.PluginStage;
import dev.gpuop.node.validation.StageResult;
import dev.gpuop.node.validation.ToolkitStage;
import dev.gpuop.node.validation.WorkloadCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node agent's side of the checks: where on this node each stage looks (the host's containerd socket and the
 * kubelet's pod-resources socket under the host's root, the CDI spec gpuop keeps) and the agent's own state (the
 * GPUs it opened, its device plugin).
 */
final class AgentValidation {

    private static final System.Logger LOG = System.getLogger(AgentValidation.class.getName());
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);
    /** The runtime class gpuop creates, unless the policy names another. */
    static final String DEFAULT_HANDLER = "nvidia";

    /**
     * Where things are.
     *
     * @param hostRoot the host's root in this process
     * @param containerdSocket containerd's socket as the host names it
     * @param podResourcesSocket the kubelet's pod-resources socket as the host names it
     * @param handler the runtime class's handler
     * @param cdiSpecDir the CDI spec's dir (host and pod alike) where gpuop writes one, else null
     * @param cuda whether the CUDA stage runs
     */
    record Places(Path hostRoot, String containerdSocket, String podResourcesSocket, String handler,
                  Path cdiSpecDir, boolean cuda) {
    }

    private final Places places;
    private final CudaStage cuda;
    private final WorkloadCheck workload;

    /**
     * @param workload the plugin stage's workload pod, or null when it is off or there is no cluster
     */
    AgentValidation(Places places, CudaStage.Runner cudaRunner, WorkloadCheck workload) {
        this.places = places;
        this.cuda = new CudaStage(cudaRunner);
        this.workload = workload;
    }

    /**
     * The agent's CUDA runner: a child JVM with a directory of links to the driver's libraries (remade before each
     * run, so a driver upgrade's new files are the ones linked).
     */
    static CudaStage.Runner childJvm(Path hostRoot, Path linkDir) {
        return () -> {
            try {
                DriverLibraryLinks.create(linkDir, DriverRoot.find(hostRoot));
            } catch (IOException e) {
                return new CudaStage.Output(-1, List.of("error cannot link the driver's libraries into " + linkDir
                    + ": " + e.getMessage()));
            }
            CudaProcess p = CudaProcess.childJvm(linkDir, Duration.ofSeconds(120));
            long t0 = System.nanoTime();
            CudaStage.Output out = p.run();
            LOG.log(System.Logger.Level.INFO, "CUDA check: exit {0} in {1} ms: {2}", out.exit(),
                (System.nanoTime() - t0) / 1_000_000, out.lines());
            return out;
        };
    }

    /** Starts the CUDA check's first run now (see {@link CudaStage#startEarly()}). */
    void startCudaEarly() {
        cuda.startEarly();
    }

    /** One round over the agent's state now. */
    List<StageResult> validate(GpuHost host, String hostError, boolean simulated, DevicePluginManager plugin,
                               boolean pluginEnabled, boolean force) {
        ToolkitStage.Expected toolkit = new ToolkitStage.Expected(places.handler(),
            places.cdiSpecDir() == null ? null : places.cdiSpecDir().toString(), cdiSpec());
        NodeValidator.Inputs in = new NodeValidator.Inputs(host, hostError, simulated,
            () -> ContainerdView.ask(onHost(places.containerdSocket()), ASK_TIMEOUT), toolkit,
            plugin(plugin, pluginEnabled, hostError),
            () -> KubeletAllocatable.ask(onHost(places.podResourcesSocket()), ASK_TIMEOUT), places.cuda(), workload);
        return NodeValidator.validate(in, cuda, force);
    }

    private String cdiSpec() {
        if (places.cdiSpecDir() == null) {
            return null;
        }
        Path spec = places.cdiSpecDir().resolve("nvidia.com-gpu.json");
        try {
            return Files.exists(spec) ? Files.readString(spec) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static PluginStage.Plugin plugin(DevicePluginManager p, boolean enabled, String hostError) {
        if (p == null) {
            return new PluginStage.Plugin(enabled, false, Map.of(), hostError == null || hostError.equals("starting")
                ? "the device plugin is starting" : "the GPUs cannot be read: " + hostError);
        }
        Map<String, Integer> offered = new TreeMap<>();
        p.resources().forEach(r -> offered.merge(r.name(), r.devices().size(), Integer::sum));
        if (p.lastRegistration() == null) {
            return new PluginStage.Plugin(true, false, offered, "not registered with the kubelet yet"
                + (p.lastError() == null ? "" : ": " + p.lastError()));
        }
        return new PluginStage.Plugin(true, true, offered, null);
    }

    /**
     * containerd's socket as the host names it: {@code CONTAINERD_SOCKET} (the operator sets the distribution's, a
     * policy's {@code toolkit.env} overrides it), else whichever of plain containerd's and K3s/RKE2's exists.
     */
    static String containerdSocket(String fromEnv, Path hostRoot) {
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        List<String> sockets = java.util.Arrays.stream(Distribution.values()).map(Distribution::containerdSocket)
            .distinct().toList();
        return sockets.stream().filter(s -> Files.exists(DriverRoot.under(hostRoot, s))).findFirst()
            .orElse(Distribution.CONTAINERD.containerdSocket());
    }

    private Path onHost(String path) {
        return DriverRoot.under(places.hostRoot(), path);
    }
}
