package dev.gpuop.node.labels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Our labels against NVIDIA's own: the expected files are what GFD v0.17.4 (built from its Go module) wrote with
 * {@code --oneshot} on the H200 machine, 2026-12-04 (driver 580.159.04, CUDA 13.0, MIG off, no DMI in that VM), with
 * the default flags, MPS sharing of 2, and {@code --mig-strategy=mixed}. The H200 here is the simulated fixture of
 * that machine, so every GPU fact comes from the fixture and every expected label from GFD.
 */
class GfdLabelsTest {

    private static SortedMap<String, String> gfd(String variant) throws IOException {
        try (InputStream in = GfdLabelsTest.class.getResourceAsStream("gfd-v0.17.4-h200/" + variant + ".txt")) {
            SortedMap<String, String> m = new TreeMap<>();
            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> l.contains("="))
                .forEach(l -> m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
            return m;
        }
    }

    private static SortedMap<String, String> ours(String fixture, GfdLabels.MigStrategy mig,
                                                  GfdLabels.Sharing sharing, Long timestamp) throws Exception {
        try (GpuHost host = SimulatedGpuHost.open(fixture)) {
            List<GpuInfo> gpus = host.gpus().stream().map(g -> g.info()).toList();
            // the H200 VM: no /sys/class/dmi, the GPU a 3D controller (class 0x030200), no vGPU capability
            return GfdLabels.of(new GfdLabels.Inputs(gpus, host.driverVersion(), host.cudaDriverVersion(), mig,
                sharing, null, "compute", false, timestamp));
        }
    }

    @Test
    void theH200GetsExactlyGfdsLabelsWithItsDefaultFlags() throws Exception {
        SortedMap<String, String> expected = gfd("default");
        Long ts = Long.valueOf(expected.get("nvidia.com/gfd.timestamp"));
        assertThat(ours("h200", GfdLabels.MigStrategy.NONE, GfdLabels.Sharing.OFF, ts)).isEqualTo(expected);
    }

    @Test
    void mpsSharingAndTheMixedStrategyMatchGfdToo() throws Exception {
        assertThat(ours("h200", GfdLabels.MigStrategy.NONE,
            new GfdLabels.Sharing("mps", false, Map.of("nvidia.com/gpu", 2)), null)).isEqualTo(gfd("mps"));
        assertThat(ours("h200", GfdLabels.MigStrategy.MIXED, GfdLabels.Sharing.OFF, null)).isEqualTo(gfd("mixed"));
    }

    @Test
    void timeSlicingIsSharedUnlessRenamedAndAMigGpuSharesNothing() throws Exception {
        GfdLabels.Sharing ts4 = new GfdLabels.Sharing("time-slicing", false, Map.of("nvidia.com/gpu", 4));
        assertThat(ours("h200", GfdLabels.MigStrategy.NONE, ts4, null))
            .containsEntry("nvidia.com/gpu.product", "NVIDIA-H200-SHARED")
            .containsEntry("nvidia.com/gpu.replicas", "4")
            .containsEntry("nvidia.com/gpu.sharing-strategy", "time-slicing");
        GfdLabels.Sharing renamed = new GfdLabels.Sharing("time-slicing", true, Map.of("nvidia.com/gpu", 4));
        assertThat(ours("h200", GfdLabels.MigStrategy.NONE, renamed, null))
            .containsEntry("nvidia.com/gpu.product", "NVIDIA-H200").containsEntry("nvidia.com/gpu.replicas", "4");
        // the A100 fixture has MIG on: its whole-GPU labels say 0 replicas whatever the sharing config
        assertThat(ours("a100-mig-mixed", GfdLabels.MigStrategy.NONE, ts4, null))
            .containsEntry("nvidia.com/gpu.replicas", "0").containsEntry("nvidia.com/gpu.sharing-strategy", "none")
            .doesNotContainKey("nvidia.com/mig.strategy");
    }

    @Test
    void theMixedStrategyLabelsEveryProfileWithItsAttributes() throws Exception {
        try (GpuHost host = SimulatedGpuHost.open("a100-mig-mixed")) {
            SortedMap<String, String> l = ours("a100-mig-mixed", GfdLabels.MigStrategy.MIXED, GfdLabels.Sharing.OFF,
                null);
            GpuInfo a100 = host.gpus().getFirst().info();
            for (var m : a100.migDevices()) {
                String k = "nvidia.com/mig-" + m.profile() + ".";
                long same = a100.migDevices().stream().filter(o -> o.profile().equals(m.profile())).count();
                assertThat(l).containsEntry(k + "count", Long.toString(same))
                    .containsEntry(k + "product", GfdLabels.value(a100.name()) + "-MIG-" + m.profile())
                    .containsEntry(k + "memory", Long.toString(m.memoryMiB()))
                    .containsEntry(k + "multiprocessors", Integer.toString(m.multiprocessorCount()))
                    .containsEntry(k + "slices.gi", Integer.toString(m.gpuInstanceSlices()))
                    .containsEntry(k + "engines.copy", Integer.toString(m.engines().copy()))
                    .containsEntry(k + "engines.decoder", Integer.toString(m.engines().decoder()))
                    .containsEntry(k + "replicas", "1").containsEntry(k + "sharing-strategy", "none");
                assertThat(l).doesNotContainKey(k + "family");
            }
            // three profiles on that GPU: single cannot advertise them as one resource
            assertThat(ours("a100-mig-mixed", GfdLabels.MigStrategy.SINGLE, GfdLabels.Sharing.OFF, null))
                .containsEntry("nvidia.com/gpu.product", GfdLabels.value(a100.name()) + "-MIG-INVALID")
                .containsEntry("nvidia.com/gpu.count", "0").containsEntry("nvidia.com/gpu.sharing-strategy", "")
                .containsEntry("nvidia.com/gpu.memory", "0");
        }
    }

    @Test
    void noGpuMeansOnlyTheTimestampAndVgpuAsGfdWrites() {
        SortedMap<String, String> l = GfdLabels.of(new GfdLabels.Inputs(List.of(), "580.95.05",
            new dev.gpuop.gpu.CudaVersion(13, 0), GfdLabels.MigStrategy.NONE, GfdLabels.Sharing.OFF, null, "unknown",
            false, 7L));
        assertThat(l).containsOnlyKeys("nvidia.com/gfd.timestamp", "nvidia.com/vgpu.present");
    }

    @Test
    void valuesAreGfdsSpellingAndAlwaysValidLabelValues() {
        assertThat(GfdLabels.value("NVIDIA H100 80GB HBM3")).isEqualTo("NVIDIA-H100-80GB-HBM3");
        assertThat(GfdLabels.value("A/B (x)")).isEqualTo("AB-x"); // GFD drops what it does not allow
        assertThat(GfdLabels.value("PowerEdge  XE9680 ")).isEqualTo("PowerEdge-XE9680");
        assertThat(GfdLabels.value("x".repeat(80))).hasSize(63);
        assertThat(GfdLabels.value("-x.")).isEqualTo("x");
    }

    @Test
    void onlyGfdsOwnKeysMayBeTakenOffANode() {
        assertThat(GfdLabels.owns("nvidia.com/mig-1g.10gb.count")).isTrue();
        assertThat(GfdLabels.owns("nvidia.com/gpu.product")).isTrue();
        assertThat(GfdLabels.owns("nvidia.com/cuda.driver-version.full")).isTrue();
        assertThat(GfdLabels.owns("nvidia.com/gpu.deploy.device-plugin")).isFalse();
        assertThat(GfdLabels.owns("nvidia.com/device-plugin.config")).isFalse();
        assertThat(GfdLabels.owns("nvidia.com/gpu.present")).isFalse();
        assertThat(GfdLabels.owns("feature.node.kubernetes.io/pci-10de.present")).isFalse();
    }
}
