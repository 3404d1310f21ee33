package dev.gpuop.node.labels;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.config.Replication;
import java.util.List;
import java.util.SortedMap;

/**
 * GFD's labels for a host as the device plugin serves it: its MIG strategy and sharing config, so the labels say
 * what the plugin advertises ({@code NVIDIA-H200-SHARED} when time-sliced, {@code -MIG-1g.18gb} under single).
 */
public final class NodeLabels {

    private NodeLabels() {
    }

    public static SortedMap<String, String> of(GpuHost host, DevicePluginSettings settings, HostFacts facts,
                                               Long timestamp) {
        return of(host, migStrategy(settings), sharing(settings), facts, timestamp);
    }

    public static SortedMap<String, String> of(GpuHost host, GfdLabels.MigStrategy mig, GfdLabels.Sharing sharing,
                                               HostFacts facts, Long timestamp) {
        List<GpuInfo> gpus = host.gpus().stream().map(g -> g.info()).toList();
        return GfdLabels.of(new GfdLabels.Inputs(gpus, host.driverVersion(), host.cudaDriverVersion(), mig, sharing,
            facts.machine(), facts.gpuMode(), facts.vgpuPresent(), timestamp));
    }

    public static GfdLabels.MigStrategy migStrategy(DevicePluginSettings settings) {
        return GfdLabels.MigStrategy.valueOf(settings.migStrategy().name());
    }

    public static GfdLabels.Sharing sharing(DevicePluginSettings settings) {
        return settings.replication().map(NodeLabels::sharing).orElse(GfdLabels.Sharing.OFF);
    }

    static GfdLabels.Sharing sharing(Replication r) {
        return new GfdLabels.Sharing(r.strategyName(), r.renameByDefault(), r.replicasByResource());
    }
}
