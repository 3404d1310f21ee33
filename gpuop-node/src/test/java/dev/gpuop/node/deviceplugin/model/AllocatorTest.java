package dev.gpuop.node.deviceplugin.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.v1beta1.CDIDevice;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.DeviceSpec;
import dev.gpuop.node.deviceplugin.v1beta1.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllocatorTest {

    private static final UUID ANNOTATION = UUID.fromString("11111111-2222-3333-4444-555555555555");

    private static Allocator allocator(String fixture, String config) {
        try (GpuHost host = SimulatedGpuHost.open(fixture)) {
            DevicePluginSettings s = DevicePluginConfigs.parse(config, "test", Map.of());
            ResourceSpec r = ResourcePlanner.plan(host.gpus(), s, b -> -1).getFirst();
            return new Allocator(r, s, () -> ANNOTATION);
        }
    }

    private static List<String> uuids(String fixture) {
        try (GpuHost host = SimulatedGpuHost.open(fixture)) {
            return host.gpus().stream().map(g -> g.info().uuid()).toList();
        }
    }

    @Test
    void envvarListsTheUuids() {
        List<String> u = uuids("h100-sxm-8x");
        ContainerAllocateResponse r = allocator("h100-sxm-8x", "").allocate(List.of(u.get(3), u.get(5)));
        assertThat(r.getEnvsMap()).containsExactly(Map.entry("NVIDIA_VISIBLE_DEVICES", u.get(3) + "," + u.get(5)));
        assertThat(r.getMountsList()).isEmpty();
        assertThat(r.getCdiDevicesList()).isEmpty();
        assertThat(r.getDevicesList()).isEmpty();
    }

    @Test
    void replicasOfOneGpuCollapseToOneUuid() {
        List<String> u = uuids("h100-sxm-8x");
        Allocator a = allocator("h100-sxm-8x", "sharing: {timeSlicing: {resources: [{name: nvidia.com/gpu, "
            + "replicas: 4}]}}");
        ContainerAllocateResponse r = a.allocate(List.of(u.get(0) + "::1", u.get(0) + "::3", u.get(1) + "::0"));
        assertThat(r.getEnvsMap().get("NVIDIA_VISIBLE_DEVICES")).isEqualTo(u.get(0) + "," + u.get(1));
    }

    @Test
    void sharedResourcesCanRefuseMoreThanOne() {
        List<String> u = uuids("h100-sxm-8x");
        Allocator a = allocator("h100-sxm-8x", "sharing: {timeSlicing: {failRequestsGreaterThanOne: true, "
            + "resources: [{name: nvidia.com/gpu, replicas: 2}]}}");
        assertThatThrownBy(() -> a.allocate(List.of(u.get(0) + "::0", u.get(1) + "::0")))
            .isInstanceOf(AllocationException.class)
            .hasMessageContaining("maximum request size for shared resources is 1; found 2");
        assertThat(a.allocate(List.of(u.get(0) + "::1")).getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES",
            u.get(0));
    }

    @Test
    void anMpsReplicaFindsItsDaemonsPipeAndSharedMemoryWhateverTheStrategy() {
        List<String> u = uuids("h100-sxm-8x");
        for (String strategies : List.of("[envvar]", "[cdi-cri]")) {
            Allocator a = allocator("h100-sxm-8x", "flags: {mpsRoot: /var/run/mps-here, plugin: {deviceListStrategy: "
                + strategies + "}}\nsharing: {mps: {resources: [{name: nvidia.com/gpu, replicas: 4}]}}");
            ContainerAllocateResponse r = a.allocate(List.of(u.get(2) + "::3"));
            assertThat(r.getEnvsMap()).containsEntry("CUDA_MPS_PIPE_DIRECTORY", "/mps/nvidia.com/gpu/pipe")
                .containsEntry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "25");
            assertThat(r.getMountsList()).extracting(Mount::getHostPath, Mount::getContainerPath).containsExactly(
                org.assertj.core.groups.Tuple.tuple("/var/run/mps-here/nvidia.com/gpu/pipe",
                    "/mps/nvidia.com/gpu/pipe"),
                org.assertj.core.groups.Tuple.tuple("/var/run/mps-here/shm", "/dev/shm"));
        }
        ContainerAllocateResponse slicing = allocator("h100-sxm-8x", "sharing: {timeSlicing: {resources: "
            + "[{name: nvidia.com/gpu, replicas: 4}]}}").allocate(List.of(u.get(2) + "::3"));
        assertThat(slicing.getEnvsMap()).doesNotContainKey("CUDA_MPS_PIPE_DIRECTORY");
        assertThat(slicing.getMountsList()).isEmpty();
    }

    @Test
    void volumeMountsAndCdiForms() {
        List<String> u = uuids("h100-sxm-8x");
        ContainerAllocateResponse r = allocator("h100-sxm-8x",
            "flags: {plugin: {deviceListStrategy: [volume-mounts, cdi-annotations, cdi-cri]}}")
            .allocate(List.of(u.get(2), u.get(6)));
        assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", "/var/run/nvidia-container-devices");
        assertThat(r.getMountsList()).extracting(Mount::getContainerPath).containsExactly(
            "/var/run/nvidia-container-devices/" + u.get(2), "/var/run/nvidia-container-devices/" + u.get(6));
        assertThat(r.getMountsList()).allSatisfy(m -> assertThat(m.getHostPath()).isEqualTo("/dev/null"));
        assertThat(r.getAnnotationsMap()).containsExactly(Map.entry("cdi.k8s.io/gpuop-device-plugin_" + ANNOTATION,
            "nvidia.com/gpu=" + u.get(2) + ",nvidia.com/gpu=" + u.get(6)));
        assertThat(r.getCdiDevicesList()).extracting(CDIDevice::getName)
            .containsExactly("nvidia.com/gpu=" + u.get(2), "nvidia.com/gpu=" + u.get(6));
    }

    @Test
    void cdiOnlyPassesNoEnvAndIndexIdsReachCdiNames() {
        ContainerAllocateResponse r = allocator("h100-sxm-8x",
            "flags: {gdsEnabled: true, plugin: {deviceListStrategy: cdi-cri, deviceIDStrategy: index}}")
            .allocate(List.of("4"));
        assertThat(r.getEnvsMap()).isEmpty();
        assertThat(r.getCdiDevicesList()).extracting(CDIDevice::getName).containsExactly("nvidia.com/gpu=4");
    }

    @Test
    void migDevicesAreGivenByMigUuid() {
        try (GpuHost host = SimulatedGpuHost.open("a100-mig-mixed")) {
            DevicePluginSettings s = DevicePluginConfigs.parse("flags: {migStrategy: mixed}", "t", Map.of());
            ResourceSpec small = ResourcePlanner.plan(host.gpus(), s, b -> -1).get(2);
            String mig = small.devices().get(1).id();
            ContainerAllocateResponse r = new Allocator(small, s, () -> ANNOTATION).allocate(List.of(mig));
            assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", mig);
            assertThat(mig).startsWith("MIG-");
        }
    }

    @Test
    void unknownDevicesAreRefusedByName() {
        Allocator a = allocator("h100-sxm-8x", "");
        assertThatThrownBy(() -> a.allocate(List.of("GPU-not-mine")))
            .isInstanceOf(AllocationException.class)
            .hasMessageStartingWith("unknown device GPU-not-mine for nvidia.com/gpu");
    }

    @Test
    void deviceSpecsNameTheNodesUnderTheDevRoot(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("dev"));
        Files.createFile(root.resolve("dev/nvidia-uvm"));
        List<String> u = uuids("h100-sxm-8x");
        ContainerAllocateResponse r = allocator("h100-sxm-8x",
            "flags: {nvidiaDevRoot: " + root + ", plugin: {passDeviceSpecs: true}}").allocate(List.of(u.get(5)));
        assertThat(r.getDevicesList()).extracting(DeviceSpec::getContainerPath)
            .containsExactly("/dev/nvidia5", "/dev/nvidiactl", "/dev/nvidia-uvm");
        assertThat(r.getDevices(0).getHostPath()).isEqualTo(root.resolve("dev/nvidia5").toString());
        assertThat(r.getDevicesList()).allSatisfy(d -> assertThat(d.getPermissions()).isEqualTo("rw"));
    }
}
