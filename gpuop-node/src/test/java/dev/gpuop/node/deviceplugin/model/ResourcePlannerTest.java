package dev.gpuop.node.deviceplugin.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourcePlannerTest {

    private static List<ResourceSpec> plan(String fixture, String config) {
        try (GpuHost host = SimulatedGpuHost.open(fixture)) {
            DevicePluginSettings s = DevicePluginConfigs.parse(config, "test", Map.of());
            return ResourcePlanner.plan(host.gpus(), s, bus -> bus.endsWith("DB:00.0") ? 1 : 0);
        }
    }

    @Test
    void fullGpusAreAdvertisedByUuid() {
        List<ResourceSpec> specs = plan("h100-sxm-8x", "");
        assertThat(specs).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("nvidia.com/gpu");
            assertThat(r.socketName()).isEqualTo("gpuop-gpu.sock");
            assertThat(r.devices()).hasSize(8);
            assertThat(r.devices())
                .allSatisfy(d -> assertThat(d.id()).startsWith("GPU-").isEqualTo(d.physical().uuid()));
            assertThat(r.devices().get(7).physical().numaNode()).isEqualTo(1);
            assertThat(r.devices().get(7).physical().minor()).isEqualTo(7);
            assertThat(r.replicated()).isFalse();
        });
    }

    @Test
    void indexStrategyUsesNvmlIndexes() {
        assertThat(plan("h100-sxm-8x", "flags: {plugin: {deviceIDStrategy: index}}").getFirst().devices())
            .extracting(PluginDevice::id).containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
    }

    @Test
    void mixedStrategyGivesOneResourcePerMigProfile() {
        List<ResourceSpec> specs = plan("a100-mig-mixed", "flags: {migStrategy: mixed}");
        assertThat(specs).extracting(ResourceSpec::name)
            .containsExactly("nvidia.com/mig-3g.20gb", "nvidia.com/mig-2g.10gb", "nvidia.com/mig-1g.5gb");
        ResourceSpec small = specs.get(2);
        assertThat(small.devices()).hasSize(2);
        assertThat(small.devices()).allSatisfy(d -> {
            assertThat(d.id()).startsWith("MIG-");
            assertThat(d.physical().isMig()).isTrue();
        });
        assertThat(small.devices()).extracting(d -> d.physical().index()).containsExactly("0:2", "0:3");
        assertThat(small.socketName()).isEqualTo("gpuop-mig-1g.5gb.sock");
    }

    @Test
    void noneStrategyAdvertisesAMigGpuWhole() {
        assertThat(plan("a100-mig-mixed", "flags: {migStrategy: none}")).singleElement()
            .satisfies(r -> assertThat(r.devices()).singleElement()
                .satisfies(d -> assertThat(d.id()).startsWith("GPU-")));
    }

    @Test
    void singleStrategyRefusesMixedProfiles() {
        assertThatThrownBy(() -> plan("a100-mig-mixed", "flags: {migStrategy: single}"))
            .isInstanceOf(InvalidConfigException.class)
            .hasMessageContaining("flags.migStrategy: single needs one MIG profile")
            .hasMessageContaining("1g.5gb");
        assertThat(plan("h100-sxm-8x", "flags: {migStrategy: single}").getFirst().devices()).hasSize(8);
    }

    @Test
    void timeSlicingReplicatesAndRenames() {
        String config = "sharing: {timeSlicing: {renameByDefault: true, failRequestsGreaterThanOne: true, "
            + "resources: [{name: nvidia.com/gpu, replicas: 4}]}}";
        ResourceSpec r = plan("h100-sxm-8x", config).getFirst();
        assertThat(r.name()).isEqualTo("nvidia.com/gpu.shared");
        assertThat(r.socketName()).isEqualTo("gpuop-gpu.shared.sock");
        assertThat(r.devices()).hasSize(32);
        assertThat(r.replicated()).isTrue();
        assertThat(r.failRequestsGreaterThanOne()).isTrue();
        assertThat(r.devices().subList(0, 4)).extracting(PluginDevice::id)
            .allSatisfy(id -> assertThat(id).matches("GPU-[0-9a-f-]{36}::[0-3]"));
        assertThat(r.devices().subList(0, 4)).extracting(d -> d.physical().uuid()).containsOnly(
            r.devices().getFirst().physical().uuid());
    }

    @Test
    void mpsSharesWholeGpusWithItsReplicasAndKeepsTheirNames() {
        ResourceSpec r = plan("h100-sxm-8x", "sharing: {mps: {resources: [{name: nvidia.com/gpu, replicas: 4}]}}")
            .getFirst();
        assertThat(r.mps()).isTrue();
        assertThat(r.replicas()).isEqualTo(4);
        assertThat(r.name()).isEqualTo("nvidia.com/gpu");
        assertThat(r.failRequestsGreaterThanOne()).as("NVIDIA's MPS default").isTrue();
        assertThat(r.physicalDevices()).hasSize(8);
        ResourceSpec slicing = plan("h100-sxm-8x", "sharing: {timeSlicing: {resources: [{name: nvidia.com/gpu, "
            + "replicas: 4}]}}").getFirst();
        assertThat(slicing.mps()).isFalse();
    }

    @Test
    void mpsOnMigDevicesIsRefusedNamingTheResource(@TempDir Path dir) throws Exception {
        // one A100 with MIG on and one 3g.20gb device: the single strategy advertises it as nvidia.com/gpu
        ObjectMapper json = new ObjectMapper();
        ObjectNode fixture;
        try (var in = getClass().getResourceAsStream("/dev/gpuop/gpu/fixtures/a100-mig-mixed.json")) {
            fixture = (ObjectNode) json.readTree(in);
        }
        ArrayNode migs = (ArrayNode) fixture.get("gpus").get(0).get("migDevices");
        while (migs.size() > 1) {
            migs.remove(1);
        }
        Path file = dir.resolve("a100-one-3g.json");
        json.writeValue(file.toFile(), fixture);
        assertThat(plan(file.toString(), "flags: {migStrategy: single}").getFirst().devices()).hasSize(1);
        assertThatThrownBy(() -> plan(file.toString(), "flags: {migStrategy: single}\n"
            + "sharing: {mps: {resources: [{name: nvidia.com/gpu, replicas: 2}]}}"))
            .isInstanceOf(InvalidConfigException.class)
            .hasMessageContaining("sharing.mps: nvidia.com/gpu is made of MIG devices")
            .hasMessageContaining("single");
    }
}
