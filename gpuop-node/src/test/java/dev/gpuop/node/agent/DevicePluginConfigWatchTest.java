package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.node.deviceplugin.server.DevicePluginManager;
import dev.gpuop.node.deviceplugin.server.PluginMetrics;
import dev.gpuop.testsupport.KubeletStandIn;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NVIDIA's per-node config label switches the running plugin between the ConfigMap's configs, live, with the kubelet
 * seeing the new devices; a label naming no config keeps the current one and says which exist.
 */
class DevicePluginConfigWatchTest {

    @TempDir
    Path dir;

    @Test
    void theNodeLabelPicksTheConfigLiveAndAnUnknownNameKeepsTheCurrentOne() throws Exception {
        Path configs = Files.createDirectories(dir.resolve("configs"));
        Path any = Files.writeString(configs.resolve("any"), "version: v1\n");
        Files.writeString(configs.resolve("ts4"), "version: v1\nsharing:\n  timeSlicing:\n    resources:\n"
            + "    - name: nvidia.com/gpu\n      replicas: 4\n");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        AtomicReference<Map<String, String>> labels = new AtomicReference<>(Map.of());
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x");
             KubeletStandIn kubelet = new KubeletStandIn(plugins).start();
             DevicePluginManager plugin = new DevicePluginManager(host, DevicePluginConfigs.load(any, Map.of()),
                 plugins, uuid -> true, bus -> -1, new PluginMetrics(new PrometheusRegistry()), Clock.systemUTC())) {
            plugin.start();
            DevicePluginConfigWatch watch = new DevicePluginConfigWatch(any, labels::get, Map.of(), plugin);
            kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == 8, Duration.ofSeconds(20));

            labels.set(Map.of(DevicePluginConfigWatch.CONFIG_LABEL, "ts4"));
            assertThat(watch.checkNow()).isNull();
            kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == 32, Duration.ofSeconds(20));

            labels.set(Map.of(DevicePluginConfigWatch.CONFIG_LABEL, "ts8"));
            assertThat(watch.checkNow()).contains("nvidia.com/device-plugin.config=ts8 names no config")
                .contains("(it has: any, ts4)").contains("still serving ts4");
            assertThat(watch.problem()).isNotNull();
            assertThat(plugin.settings().replication().orElseThrow().replicasOf("nvidia.com/gpu")).isEqualTo(4);

            labels.set(Map.of());
            assertThat(watch.checkNow()).isNull();
            assertThat(watch.problem()).isNull();
            kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == 8, Duration.ofSeconds(20));
        }
    }
}
