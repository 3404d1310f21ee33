package dev.gpuop.node.deviceplugin.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two NVLink islands of four GPUs: a good allocation stays inside an island. */
class PreferredAllocatorTest {

    private static final List<String> GPU = new ArrayList<>();
    private static PreferredAllocator islands;

    @BeforeAll
    static void islands() throws Exception {
        Path fixture = Path.of(PreferredAllocatorTest.class.getResource("/fixtures/two-islands.json").toURI());
        try (GpuHost host = SimulatedGpuHost.open(fixture.toString())) {
            DevicePluginSettings s = DevicePluginSettings.DEFAULTS;
            ResourceSpec r = ResourcePlanner.plan(host.gpus(), s, b -> -1).getFirst();
            r.devices().forEach(d -> GPU.add(d.id()));
            islands = new PreferredAllocator(r, PairScores.of(host.gpus(), Map.of()));
        }
    }

    @Test
    void aPairStaysInsideTheIslandOfTheRequiredGpu() {
        List<String> got = islands.prefer(GPU, List.of(GPU.get(5)), 2);
        assertThat(got).contains(GPU.get(5)).hasSize(2);
        assertThat(GPU.indexOf(got.get(0)) / 4).isEqualTo(GPU.indexOf(got.get(1)) / 4);
    }

    @Test
    void fourGpusAreOneWholeIsland() {
        List<String> got = islands.prefer(GPU, List.of(), 4);
        assertThat(got.stream().map(id -> GPU.indexOf(id) / 4).distinct()).hasSize(1);
    }

    @Test
    void whatIsLeftStaysConnected() {
        // 0 and 4 are in use: of the rest, a pair must come from one island, leaving the other whole
        List<String> available = new ArrayList<>(GPU);
        available.remove(GPU.get(0));
        available.remove(GPU.get(4));
        List<String> got = islands.prefer(available, List.of(), 3);
        assertThat(got.stream().map(id -> GPU.indexOf(id) / 4).distinct()).hasSize(1);
    }

    @Test
    void tooLargeARequestIsRefused() {
        assertThatThrownBy(() -> islands.prefer(GPU.subList(0, 2), List.of(), 3))
            .isInstanceOf(AllocationException.class).hasMessageContaining("only 2 are available");
    }

    @Test
    void replicasAreSpreadOverTheLeastUsedGpus() {
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x")) {
            DevicePluginSettings s = DevicePluginConfigs.parse(
                "sharing: {timeSlicing: {resources: [{name: nvidia.com/gpu, replicas: 2}]}}", "t", Map.of());
            ResourceSpec r = ResourcePlanner.plan(host.gpus(), s, b -> -1).getFirst();
            PreferredAllocator a = new PreferredAllocator(r, PairScores.of(host.gpus(), Map.of()));
            List<String> ids = r.devices().stream().map(PluginDevice::id).toList();
            // GPU 0's replica 0 is in use; GPUs 0 and 1 each offer their remaining replicas
            List<String> available = List.of(ids.get(1), ids.get(2), ids.get(3));
            List<String> got = a.prefer(available, List.of(), 2);
            assertThat(got).containsExactlyInAnyOrder(ids.get(2), ids.get(3)).as("both replicas of unused GPU 1");
            List<String> spread = a.prefer(List.of(ids.get(2), ids.get(3), ids.get(4), ids.get(5)), List.of(), 2);
            assertThat(spread.stream().map(id -> id.substring(0, id.indexOf("::"))).distinct()).hasSize(2);
        }
    }
}
