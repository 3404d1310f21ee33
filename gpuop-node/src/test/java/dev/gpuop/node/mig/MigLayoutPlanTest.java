package dev.gpuop.node.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.gpu.ComputeCapability;
import dev.gpuop.gpu.GpuArchitecture;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.mig.MigLayout;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MigLayoutPlanTest {

    private static final String SOURCE = MigPartedConfigTest.SOURCE;
    private static final MigPartedConfig SAMPLE = MigPartedConfig.parse(MigPartedConfigTest.sample(), SOURCE);

    static GpuInfo h100(int index) {
        return new GpuInfo(index, index, "GPU-" + index, "NVIDIA H100 80GB HBM3", "0000000" + index + ":00:00.0",
            0x233010de, 81559L << 20, new ComputeCapability(9, 0), GpuArchitecture.HOPPER,
            new MigMode(false, false), List.of(), List.of());
    }

    static GpuInfo h200(int index) {
        return new GpuInfo(index, index, "GPU-" + index, "NVIDIA H200", "0000000" + index + ":00:06.0",
            0x233510de, 143771L << 20, new ComputeCapability(9, 0), GpuArchitecture.HOPPER,
            new MigMode(false, false), List.of(), List.of());
    }

    static GpuInfo l4(int index) {
        return new GpuInfo(index, index, "GPU-" + index, "NVIDIA L4", "0000000" + index + ":00:07.0",
            0x27b810de, 23034L << 20, new ComputeCapability(8, 9), GpuArchitecture.ADA, null, List.of(), List.of());
    }

    private static List<GpuInfo> eightH100() {
        return IntStream.range(0, 8).mapToObj(MigLayoutPlanTest::h100).toList();
    }

    @Test
    void eachGpuGetsTheEntryThatSelectsItByDeviceId() {
        MigLayoutPlan plan = MigLayoutPlan.of(SAMPLE, "all-balanced", List.of(h100(0), h200(1)), SOURCE);
        assertThat(plan.gpus()).extracting(MigLayoutPlan.GpuLayout::entry)
            .containsExactly("mig-configs.all-balanced[0]", "mig-configs.all-balanced[1]");
        assertThat(plan.gpus().get(1).instances()).extracting(p -> p.profile().name())
            .containsExactlyInAnyOrder("1g.18gb", "1g.18gb", "2g.35gb", "3g.71gb");
    }

    @Test
    void gpusNoEntrySelectsAreLeftAlone() {
        MigLayoutPlan plan = MigLayoutPlan.of(SAMPLE, "all-balanced", List.of(l4(0), h200(1)), SOURCE);
        assertThat(plan.gpus()).extracting(MigLayoutPlan.GpuLayout::gpuIndex).containsExactly(1);
    }

    @Test
    void indexesSplitANode() {
        MigLayoutPlan plan = MigLayoutPlan.of(SAMPLE, "half-and-half", eightH100(), SOURCE);
        assertThat(plan.gpus()).extracting(MigLayoutPlan.GpuLayout::migEnabled)
            .containsExactly(false, false, false, false, true, true, true, true);
        assertThat(plan.gpus().get(4).instances()).extracting(MigLayout.Placement::start)
            .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void aProfileTheGpuLacksIsRefusedNamingTheEntryTheGpuAndWhatItOffers() {
        assertThatThrownBy(() -> MigLayoutPlan.of(SAMPLE, "all-3g.71gb", List.of(h100(0)), SOURCE))
            .isInstanceOf(InvalidMigConfigException.class)
            .hasMessage(SOURCE + ": mig-configs.all-3g.71gb[0].mig-devices.3g.71gb: GPU 0 (NVIDIA H100 80GB HBM3): "
                + "this GPU offers no MIG profile 3g.71gb; it offers 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, "
                + "4g.40gb, 7g.80gb");
    }

    @Test
    void aGpuThatCannotDoMigIsNamed() {
        assertThatThrownBy(() -> MigLayoutPlan.of(SAMPLE, "all-enabled", List.of(h200(0), l4(1)), SOURCE))
            .hasMessage(SOURCE + ": mig-configs.all-enabled[0].mig-enabled: GPU 1 (NVIDIA L4) cannot be partitioned "
                + "with MIG");
    }

    @Test
    void anIndexTheNodeLacksAndAGpuSelectedTwiceAreRefused() {
        assertThatThrownBy(() -> MigLayoutPlan.of(SAMPLE, "half-and-half", List.of(h100(0), h100(1)), SOURCE))
            .hasMessage(SOURCE + ": mig-configs.half-and-half[0].devices: GPU 2 is not on this node; it has 2 GPUs");
        MigPartedConfig twice = MigPartedConfig.parse("""
            version: v1
            mig-configs:
              twice:
                - {devices: all, mig-enabled: false}
                - {devices: [1], mig-enabled: true, mig-devices: {7g.141gb: 1}}
            """, SOURCE);
        assertThatThrownBy(() -> MigLayoutPlan.of(twice, "twice", List.of(h200(0), h200(1)), SOURCE))
            .hasMessage(SOURCE + ": mig-configs.twice[1]: selects GPU 1, which mig-configs.twice[0] selects already");
    }
}
