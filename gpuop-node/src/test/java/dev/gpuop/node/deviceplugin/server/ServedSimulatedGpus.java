package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.model.PairScores;
import dev.gpuop.node.deviceplugin.model.PluginDevice;
import dev.gpuop.node.deviceplugin.model.ResourcePlanner;
import dev.gpuop.node.deviceplugin.model.ResourceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A real ResourceServer of eight simulated H100s on a real socket in a test's directory, all healthy. */
final class ServedSimulatedGpus implements AutoCloseable {

    final GpuHost host;
    final ResourceServer server;
    final List<String> ids;

    private ServedSimulatedGpus(GpuHost host, ResourceServer server, List<String> ids) {
        this.host = host;
        this.server = server;
        this.ids = ids;
    }

    static ServedSimulatedGpus start(Path dir) {
        GpuHost host = SimulatedGpuHost.open("h100-sxm-8x");
        ResourceSpec spec = ResourcePlanner.plan(host.gpus(), DevicePluginSettings.DEFAULTS, b -> -1).getFirst();
        ResourceServer server = new ResourceServer(spec, DevicePluginSettings.DEFAULTS,
            PairScores.of(host.gpus(), Map.of()), uuid -> true);
        server.start(dir);
        return new ServedSimulatedGpus(host, server, spec.devices().stream().map(PluginDevice::id).toList());
    }

    @Override
    public void close() throws Exception {
        server.close();
        host.close();
    }
}
