package dev.gpuop.node.deviceplugin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.Faults;
import dev.gpuop.gpu.sim.GpuFixtures;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.health.GpuHealthTracker;
import dev.gpuop.node.deviceplugin.health.HealthMonitor;
import dev.gpuop.node.deviceplugin.health.XidPolicy;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.Device;
import dev.gpuop.testsupport.KubeletStandIn;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device plugin against the kubelet stand-in, over real gRPC on real Unix sockets, with simulated GPUs. */
class DevicePluginIT {

    private static final String GPU = "nvidia.com/gpu";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private GpuHost host;
    private DevicePluginManager plugin;
    private HealthMonitor monitor;
    private KubeletStandIn kubelet;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {monitor, plugin, kubelet, host}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private GpuHealthTracker start(GpuHost h, DevicePluginSettings settings, Duration recovery) {
        host = h;
        GpuHealthTracker tracker = new GpuHealthTracker(XidPolicy.fromEnv(Map.of()), recovery,
            h.gpus().stream().map(g -> g.info().uuid()).toList());
        plugin = new DevicePluginManager(h, settings, dir, tracker::isHealthy, b -> -1,
            new PluginMetrics(new PrometheusRegistry()), Clock.systemUTC());
        monitor = new HealthMonitor(h, tracker, Duration.ofMillis(50), Clock.systemUTC(), plugin::onHealth);
        plugin.start();
        monitor.start(true);
        return tracker;
    }

    /** The plugin's socket files in the directory. */
    private List<String> sockets() throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("gpuop-")).sorted().toList();
        }
    }

    @Test
    void aSocketLeftByAKilledAgentIsRemovedAtStart() throws Exception {
        Files.createFile(dir.resolve("gpuop-gpu-0badc0de.sock"));
        start(SimulatedGpuHost.open("h200"), DevicePluginSettings.DEFAULTS, Duration.ofMinutes(1));
        assertThat(sockets()).singleElement().asString().isNotEqualTo("gpuop-gpu-0badc0de.sock");
    }

    @Test
    void registersOnceTheKubeletAppearsAndAllocatesTwoDistinctGpus() throws Exception {
        start(SimulatedGpuHost.open("h100-sxm-8x"), DevicePluginSettings.DEFAULTS, Duration.ofMinutes(1));
        assertThat(sockets()).singleElement().asString().matches("gpuop-gpu-[0-9a-f]{8}\\.sock");
        Thread.sleep(200);
        kubelet = new KubeletStandIn(dir).start();
        List<Device> devices = kubelet.awaitDevices(GPU, d -> d.size() == 8, WAIT);
        assertThat(devices).allSatisfy(d -> assertThat(d.getHealth()).isEqualTo("Healthy"));
        KubeletStandIn.Registration reg = kubelet.registrations().getFirst();
        assertThat(reg.request().getVersion()).isEqualTo("v1beta1");
        assertThat(reg.request().getEndpoint()).isEqualTo(sockets().getFirst());
        assertThat(reg.options().getGetPreferredAllocationAvailable()).isTrue();

        List<String> two = kubelet.preferred(GPU, devices.stream().map(Device::getID).toList(), List.of(), 2);
        AllocateResponse r = kubelet.allocate(GPU, two);
        String[] visible = r.getContainerResponses(0).getEnvsOrThrow("NVIDIA_VISIBLE_DEVICES").split(",");
        assertThat(visible).hasSize(2).doesNotHaveDuplicates();
        assertThat(Arrays.stream(visible)).allSatisfy(v -> assertThat(v).startsWith("GPU-"));
        assertThat(List.of(visible)).containsExactlyInAnyOrderElementsOf(two);
    }

    @Test
    void aDeviceWeDoNotOwnGetsAClearGrpcError() throws Exception {
        kubelet = new KubeletStandIn(dir).start();
        start(SimulatedGpuHost.open("h200"), DevicePluginSettings.DEFAULTS, Duration.ofMinutes(1));
        kubelet.awaitDevices(GPU, d -> d.size() == 1, WAIT);
        assertThatThrownBy(() -> kubelet.allocate(GPU, List.of("GPU-00000000-0000-0000-0000-000000000000")))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).contains("unknown device GPU-00000000");
            });
    }

    @Test
    void aKubeletRestartIsFollowedByReRegistration() throws Exception {
        kubelet = new KubeletStandIn(dir).start();
        start(SimulatedGpuHost.open("h100-sxm-8x"), DevicePluginSettings.DEFAULTS, Duration.ofMinutes(1));
        kubelet.awaitDevices(GPU, d -> d.size() == 8, WAIT);
        for (int i = 1; i <= 3; i++) {
            kubelet.restart();
            assertThat(kubelet.devices(GPU)).isEmpty();
            kubelet.awaitDevices(GPU, d -> d.size() == 8, WAIT);
        }
        assertThat(kubelet.registrations()).hasSize(4);
        // a new socket path each time: the kubelet refuses one it still holds
        assertThat(kubelet.registrations().stream().map(r -> r.request().getEndpoint()).distinct()).hasSize(4);
        assertThat(sockets()).containsExactly(kubelet.registrations().getLast().request().getEndpoint());
        assertThat(kubelet.allocate(GPU, List.of(kubelet.devices(GPU).getFirst().getID()))
            .getContainerResponses(0).getEnvsMap()).containsKey("NVIDIA_VISIBLE_DEVICES");
    }

    @Test
    void aRefusedRegistrationIsTriedAgainUntilTheKubeletTakesIt() throws Exception {
        kubelet = new KubeletStandIn(dir).start();
        kubelet.refuseNextRegistrations(2);
        start(SimulatedGpuHost.open("h100-sxm-8x"), DevicePluginSettings.DEFAULTS, Duration.ofMinutes(1));
        assertThat(plugin.lastError()).contains("device plugin already connected");
        // retries after 1 s and 2 s: the third attempt is taken
        kubelet.awaitDevices(GPU, d -> d.size() == 8, WAIT);
        assertThat(kubelet.registrations()).hasSize(1);
        // the kubelet opens ListAndWatch before its Register call returns: the plugin records it a moment later
        await().atMost(WAIT).until(() -> plugin.lastRegistration() != null);
    }

    @Test
    void retriesWaitLongerEachTimeUpToThirtySeconds() {
        assertThat(java.util.stream.IntStream.range(0, 8).mapToObj(DevicePluginManager::retryDelay)
            .map(Duration::toSeconds).toList()).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    }

    @Test
    void mixedMigAdvertisesOneResourcePerProfile() throws Exception {
        kubelet = new KubeletStandIn(dir).start();
        start(SimulatedGpuHost.open("a100-mig-mixed"),
            DevicePluginConfigs.parse("flags: {migStrategy: mixed}", "t", Map.of()), Duration.ofMinutes(1));
        kubelet.awaitDevices("nvidia.com/mig-1g.5gb", d -> d.size() == 2, WAIT);
        kubelet.awaitDevices("nvidia.com/mig-3g.20gb", d -> d.size() == 1, WAIT);
        kubelet.awaitDevices("nvidia.com/mig-2g.10gb", d -> d.size() == 1, WAIT);
        String mig = kubelet.devices("nvidia.com/mig-1g.5gb").get(1).getID();
        assertThat(kubelet.allocate("nvidia.com/mig-1g.5gb", List.of(mig)).getContainerResponses(0).getEnvsMap())
            .containsEntry("NVIDIA_VISIBLE_DEVICES", mig);
    }

    @Test
    void fatalXidTakesAGpuOutAndARecoverableOneComesBack() throws Exception {
        var fixture = GpuFixtures.load("h100-sxm-8x").withFaults(new Faults(null, false,
            List.of(new Faults.XidFault(2, 48, 300), new Faults.XidFault(5, 44, 300),
                new Faults.XidFault(6, 13, 300)), List.of(new Faults.BusFault(7, 300))));
        kubelet = new KubeletStandIn(dir).start();
        GpuHost h = SimulatedGpuHost.open(fixture, Clock.systemUTC());
        List<String> uuids = h.gpus().stream().map(g -> g.info().uuid()).toList();
        start(h, DevicePluginSettings.DEFAULTS, Duration.ofMillis(700));
        kubelet.awaitDevices(GPU, d -> d.size() == 8, WAIT);
        List<Device> sick = kubelet.awaitDevices(GPU, d -> unhealthy(d).size() == 3, WAIT);
        assertThat(unhealthy(sick)).as("XID 48, XID 44 and the lost GPU; XID 13 is ignored")
            .containsExactlyInAnyOrder(uuids.get(2), uuids.get(5), uuids.get(7));
        List<Device> later = kubelet.awaitDevices(GPU, d -> unhealthy(d).size() == 2, WAIT);
        assertThat(unhealthy(later)).containsExactlyInAnyOrder(uuids.get(2), uuids.get(7));
        assertThat(kubelet.updates(GPU)).isGreaterThanOrEqualTo(3);
    }

    private static List<String> unhealthy(List<Device> devices) {
        return devices.stream().filter(d -> d.getHealth().equals("Unhealthy")).map(Device::getID).toList();
    }

    @Test
    void aBadConfigKeepsTheLastGoodOneAndAGoodOneSwitches() throws Exception {
        kubelet = new KubeletStandIn(dir).start();
        start(SimulatedGpuHost.open("a100-mig-mixed"), DevicePluginSettings.DEFAULTS, Duration.ofMinutes(1));
        kubelet.awaitDevices(GPU, d -> d.size() == 1, WAIT);
        assertThat(plugin.apply(DevicePluginConfigs.parse("flags: {migStrategy: single}", "t", Map.of())))
            .get().asString().contains("single needs one MIG profile");
        assertThat(plugin.resources()).extracting(r -> r.name()).containsExactly(GPU);
        assertThat(plugin.apply(DevicePluginConfigs.parse(
            "sharing: {timeSlicing: {resources: [{name: nvidia.com/gpu, replicas: 4}]}}", "t", Map.of()))).isEmpty();
        kubelet.awaitDevices(GPU, d -> d.size() == 4, WAIT);
    }
}
