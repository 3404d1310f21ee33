package dev.gpuop.node.mig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.mig.GpuInstance;
import dev.gpuop.gpu.sim.FixtureMigDriver;
import dev.gpuop.gpu.sim.GpuFixture;
import dev.gpuop.gpu.sim.GpuFixtures;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MIG layouts applied to a simulated HGX H100 (8 GPUs) through the simulated driver's rules. */
class MigReconfigurerTest {

    private static final MigPartedConfig SAMPLE = MigPartedConfig.parse(MigPartedConfigTest.sample(),
        MigPartedConfigTest.SOURCE);

    private static SimulatedGpuHost hgx() {
        return SimulatedGpuHost.open(GpuFixtures.load("h100-sxm-8x"), Clock.systemUTC());
    }

    private static MigLayoutPlan plan(SimulatedGpuHost host, String layout) {
        return MigLayoutPlan.of(SAMPLE, layout, host.gpus().stream().map(Gpu::info).toList(), "test");
    }

    private static List<String> profiles(Gpu gpu) {
        return gpu.info().migDevices().stream().map(MigDevice::profile).sorted().toList();
    }

    @Test
    void aLayoutIsAppliedToTheGpusItSelectsAndTheRestAreLeftAlone() {
        try (SimulatedGpuHost host = hgx()) {
            MigReconfigurer.Outcome out = MigReconfigurer.apply(plan(host, "half-and-half"), host.gpus());
            assertThat(out.state()).as(out.message()).isEqualTo(MigReconfigurer.State.SUCCESS);
            assertThat(out.changed()).containsExactly(4, 5, 6, 7);
            for (Gpu gpu : host.gpus().subList(0, 4)) {
                assertThat(gpu.info().migMode()).isEqualTo(new MigMode(false, false));
                assertThat(gpu.info().migDevices()).isEmpty();
            }
            for (Gpu gpu : host.gpus().subList(4, 8)) {
                assertThat(profiles(gpu)).hasSize(7).containsOnly("1g.10gb");
            }
            // the new devices are what a fresh open of the driver reads
            try (SimulatedGpuHost again = host.reopen()) {
                assertThat(again.gpus().stream().mapToInt(g -> g.info().migDevices().size()).sum()).isEqualTo(28);
            }
        }
    }

    @Test
    void aSecondApplyOfTheSameLayoutChangesNothing() {
        try (SimulatedGpuHost host = hgx()) {
            MigReconfigurer.apply(plan(host, "all-balanced"), host.gpus());
            List<List<GpuInstance>> before = host.gpus().stream().map(g -> g.migControl().gpuInstances()).toList();
            MigReconfigurer.Outcome again = MigReconfigurer.apply(plan(host, "all-balanced"), host.gpus());
            assertThat(again.state()).isEqualTo(MigReconfigurer.State.SUCCESS);
            assertThat(again.changed()).isEmpty();
            assertThat(host.gpus().stream().map(g -> g.migControl().gpuInstances()).toList()).isEqualTo(before);
            assertThat(profiles(host.gpus().getFirst())).containsExactly("1g.10gb", "1g.10gb", "2g.20gb", "3g.40gb");
        }
    }

    @Test
    void aGpuClientStopsTheChangeBeforeAnythingChanges() {
        try (SimulatedGpuHost host = hgx()) {
            MigReconfigurer.apply(plan(host, "all-balanced"), host.gpus());
            List<GpuInfo> before = host.gpus().stream().map(Gpu::info).toList();
            host.simulateProcesses(6, 1);
            MigReconfigurer.Outcome out = MigReconfigurer.apply(plan(host, "half-and-half"), host.gpus());
            assertThat(out.state()).isEqualTo(MigReconfigurer.State.FAILED);
            assertThat(out.message()).contains("GPU 6 runs 1 GPU process", "nothing changed");
            assertThat(host.gpus().stream().map(Gpu::info).toList()).isEqualTo(before);
        }
    }

    @Test
    void turningMigOffRemovesTheInstancesAndTheMode() {
        try (SimulatedGpuHost host = hgx()) {
            MigReconfigurer.apply(plan(host, "all-balanced"), host.gpus());
            MigReconfigurer.Outcome out = MigReconfigurer.apply(plan(host, "all-disabled"), host.gpus());
            assertThat(out.state()).as(out.message()).isEqualTo(MigReconfigurer.State.SUCCESS);
            assertThat(host.gpus()).allSatisfy(g -> {
                assertThat(g.info().migMode()).isEqualTo(new MigMode(false, false));
                assertThat(g.info().migDevices()).isEmpty();
            });
        }
    }

    @Test
    void aModeThatNeedsARebootIsLeftPendingAndAppliedAfterTheBoot() {
        GpuFixture vm = GpuFixtures.load("h100-sxm-8x").withMigDriver(new FixtureMigDriver(0, 0, 0, false));
        try (SimulatedGpuHost host = SimulatedGpuHost.open(vm, Clock.systemUTC())) {
            MigReconfigurer.Outcome out = MigReconfigurer.apply(plan(host, "all-balanced"), host.gpus());
            assertThat(out.state()).isEqualTo(MigReconfigurer.State.REBOOT_NEEDED);
            assertThat(out.message()).contains("GPU 0", "pending", "gpuop does not reboot hosts");
            // every GPU's mode is pending, so that one reboot applies them all
            assertThat(host.gpus()).allSatisfy(g -> assertThat(g.info().migMode()).isEqualTo(new MigMode(false, true)));
            host.simulateReboot();
            try (SimulatedGpuHost booted = host.reopen()) {
                MigReconfigurer.Outcome after = MigReconfigurer.apply(plan(booted, "all-balanced"), booted.gpus());
                assertThat(after.state()).as(after.message()).isEqualTo(MigReconfigurer.State.SUCCESS);
                assertThat(profiles(booted.gpus().get(7))).containsExactly("1g.10gb", "1g.10gb", "2g.20gb",
                    "3g.40gb");
            }
        }
    }
}
