package dev.gpuop.node.deviceplugin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.nvml.NvmlGpuHost;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.health.GpuHealthTracker;
import dev.gpuop.node.deviceplugin.health.HealthMonitor;
import dev.gpuop.node.deviceplugin.health.XidPolicy;
import dev.gpuop.node.deviceplugin.v1beta1.Device;
import dev.gpuop.testsupport.KubeletStandIn;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device plugin on real NVML (tag gpu): the real GPUs advertised by UUID, healthy, and Allocate gives them. */
@Tag("gpu")
class RealGpuDevicePluginGpuTest {

    @TempDir
    Path dir;

    @Test
    void realGpusAreAdvertisedByUuidAndAllocated() throws Exception {
        GpuHost host;
        try {
            host = NvmlGpuHost.open(DriverLibraries.standard());
        } catch (DriverLibraryNotFoundException e) {
            assumeTrue(false, "no NVML here");
            return;
        }
        List<String> uuids = host.gpus().stream().map(g -> g.info().uuid()).toList();
        GpuHealthTracker tracker = new GpuHealthTracker(XidPolicy.fromEnv(Map.of()), Duration.ofMinutes(1), uuids);
        try (host; KubeletStandIn kubelet = new KubeletStandIn(dir).start();
             DevicePluginManager plugin = new DevicePluginManager(host, DevicePluginSettings.DEFAULTS, dir,
                 tracker::isHealthy, b -> -1, new PluginMetrics(new PrometheusRegistry()), Clock.systemUTC());
             HealthMonitor monitor = new HealthMonitor(host, tracker, Duration.ofMillis(200), Clock.systemUTC(),
                 plugin::onHealth)) {
            plugin.start();
            monitor.start(true);
            List<Device> devices = kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == uuids.size(),
                Duration.ofSeconds(20));
            assertThat(devices).extracting(Device::getID).containsExactlyElementsOf(uuids);
            Thread.sleep(1000); // a few health polls and an XID wait on the real driver
            assertThat(kubelet.devices("nvidia.com/gpu")).allSatisfy(d -> assertThat(d.getHealth())
                .isEqualTo("Healthy"));
            String visible = kubelet.allocate("nvidia.com/gpu", List.of(uuids.getFirst())).getContainerResponses(0)
                .getEnvsOrThrow("NVIDIA_VISIBLE_DEVICES");
            System.out.println("real GPU advertised and allocated: " + visible);
            assertThat(visible).isEqualTo(uuids.getFirst());
        }
    }
}
