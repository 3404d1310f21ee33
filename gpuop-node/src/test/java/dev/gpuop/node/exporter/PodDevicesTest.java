package dev.gpuop.node.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kubelet's device IDs joined to GPUs the ways the device plugins in use write them. */
class PodDevicesTest {

    private static List<GpuInfo> gpus(String fixture) {
        try (GpuHost host = SimulatedGpuHost.open(fixture)) {
            return host.gpus().stream().map(g -> g.info()).toList();
        }
    }

    @Test
    void uuidsIndexesDeviceNamesAndReplicasAllFindTheirGpu() {
        List<GpuInfo> gpus = gpus("h100-sxm-8x");
        String g1 = gpus.get(1).uuid();
        Map<String, PodDevices.PodRef> m = PodDevices.byGpu(List.of(
            new PodDevices.Holding("ml", "a", "main", "nvidia.com/gpu", List.of(g1, "2")),
            new PodDevices.Holding("ml", "b", "main", "nvidia.com/gpu.shared", List.of(gpus.get(3).uuid() + "::4")),
            new PodDevices.Holding("ml", "c", "main", "nvidia.com/gpu", List.of("nvidia" + gpus.get(5).minorNumber())),
            new PodDevices.Holding("ml", "d", "main", "example.com/fpga", List.of(gpus.get(6).uuid())),
            new PodDevices.Holding("ml", "e", "main", "nvidia.com/gpu", List.of("GPU-not-on-this-node"))), gpus);
        assertThat(m).containsOnlyKeys(g1, gpus.get(2).uuid(), gpus.get(3).uuid(), gpus.get(5).uuid());
        assertThat(m.get(g1)).isEqualTo(new PodDevices.PodRef("ml", "a", "main"));
        assertThat(m.get(gpus.get(3).uuid()).pod()).isEqualTo("b");
        assertThat(m.get(gpus.get(5).uuid()).pod()).isEqualTo("c");
    }

    @Test
    void migDevicesCountForTheirParentGpu() {
        List<GpuInfo> gpus = gpus("a100-mig-mixed");
        GpuInfo parent = gpus.stream().filter(g -> !g.migDevices().isEmpty()).findFirst().orElseThrow();
        var mig = parent.migDevices().getLast();
        Map<String, PodDevices.PodRef> byUuid = PodDevices.byGpu(List.of(new PodDevices.Holding("ml", "a", "main",
            "nvidia.com/mig-1g.5gb", List.of(mig.uuid()))), gpus);
        assertThat(byUuid).containsOnlyKeys(parent.uuid());
        Map<String, PodDevices.PodRef> byIndex = PodDevices.byGpu(List.of(new PodDevices.Holding("ml", "a", "main",
            "nvidia.com/mig-1g.5gb", List.of(parent.index() + ":" + mig.index()))), gpus);
        assertThat(byIndex).containsOnlyKeys(parent.uuid());
    }

    @Test
    void aSharedGpuGoesToTheFirstHolderWhateverTheKubeletsOrder() {
        List<GpuInfo> gpus = gpus("h200");
        String g = gpus.getFirst().uuid();
        var late = new PodDevices.Holding("team-b", "x", "main", "nvidia.com/gpu", List.of(g + "::1"));
        var early = new PodDevices.Holding("team-a", "y", "main", "nvidia.com/gpu", List.of(g + "::0"));
        assertThat(PodDevices.byGpu(List.of(late, early), gpus).get(g).namespace()).isEqualTo("team-a");
        assertThat(PodDevices.byGpu(List.of(early, late), gpus).get(g).namespace()).isEqualTo("team-a");
    }
}
