package dev.gpuop.node.mig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.sim.GpuFixtures;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layouts made from a node's own GPUs plan on those GPUs, and apply through the simulated driver. */
class DefaultMigLayoutsTest {

    private static SimulatedGpuHost open(String fixture) {
        return SimulatedGpuHost.open(GpuFixtures.load(fixture), Clock.systemUTC());
    }

    @Test
    void everyLayoutMadeForAShippedFixturePlansOnItsGpusAndHasALabelValueName() {
        for (String fixture : List.of("h100-sxm-8x", "a100-mig-mixed", "h200", "mx150-laptop")) {
            try (SimulatedGpuHost host = open(fixture)) {
                List<GpuInfo> gpus = host.gpus().stream().map(Gpu::info).toList();
                MigPartedConfig config = DefaultMigLayouts.forGpus(gpus);
                assertThat(config.configs()).containsKeys("all-disabled", "all-enabled", "all-balanced");
                for (String name : config.configs().keySet()) {
                    assertThat(name).as(fixture).matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
                        .hasSizeLessThan(64);
                    MigLayoutPlan.of(config, name, gpus, DefaultMigLayouts.SOURCE);
                }
            }
        }
    }

    @Test
    void anH100GetsNvidiasLayoutNames() {
        try (SimulatedGpuHost host = open("h100-sxm-8x")) {
            MigPartedConfig config = DefaultMigLayouts.forGpus(host.gpus().stream().map(Gpu::info).toList());
            assertThat(config.configs().keySet()).containsExactlyInAnyOrder("all-disabled", "all-enabled",
                "all-balanced", "all-1g.10gb", "all-1g.10gb.me", "all-1g.20gb", "all-2g.20gb", "all-3g.40gb",
                "all-4g.40gb", "all-7g.80gb");
        }
    }

    @Test
    void balancedAndOneProfileLayoutsApplyThroughTheDriver() {
        try (SimulatedGpuHost host = open("h100-sxm-8x")) {
            List<GpuInfo> gpus = host.gpus().stream().map(Gpu::info).toList();
            MigPartedConfig config = DefaultMigLayouts.forGpus(gpus);
            MigReconfigurer.Outcome balanced = MigReconfigurer.apply(MigLayoutPlan.of(config, "all-balanced", gpus,
                "test"), host.gpus());
            assertThat(balanced.state()).as(balanced.message()).isEqualTo(MigReconfigurer.State.SUCCESS);
            assertThat(profiles(host.gpus().get(5))).containsExactly("1g.10gb", "1g.10gb", "2g.20gb", "3g.40gb");
            List<GpuInfo> now = host.gpus().stream().map(Gpu::info).toList();
            MigReconfigurer.Outcome sevenths = MigReconfigurer.apply(MigLayoutPlan.of(config, "all-1g.10gb", now,
                "test"), host.gpus());
            assertThat(sevenths.state()).as(sevenths.message()).isEqualTo(MigReconfigurer.State.SUCCESS);
            assertThat(host.gpus()).allSatisfy(g -> assertThat(profiles(g)).hasSize(7).containsOnly("1g.10gb"));
        }
    }

    @Test
    void aGpuWithoutMigOnTheSameNodeIsLeftAlone() {
        try (SimulatedGpuHost a100 = open("a100-mig-mixed"); SimulatedGpuHost laptop = open("mx150-laptop")) {
            List<Gpu> gpus = new ArrayList<>(a100.gpus());
            gpus.add(new Reindexed(laptop.gpus().getFirst(), 1));
            List<GpuInfo> infos = gpus.stream().map(Gpu::info).toList();
            MigPartedConfig config = DefaultMigLayouts.forGpus(infos);
            MigLayoutPlan balanced = MigLayoutPlan.of(config, "all-balanced", infos, "test");
            assertThat(balanced.gpus()).extracting(MigLayoutPlan.GpuLayout::gpuIndex).containsExactly(0);
            // all-disabled selects every GPU, as NVIDIA's does; one without MIG already has it off (the fixture
            // starts balanced, so it is switched off first)
            for (String name : List.of("all-disabled", "all-balanced")) {
                MigReconfigurer.Outcome out = MigReconfigurer.apply(MigLayoutPlan.of(config, name,
                    gpus.stream().map(Gpu::info).toList(), "test"), gpus);
                assertThat(out.state()).as(name + ": " + out.message()).isEqualTo(MigReconfigurer.State.SUCCESS);
                assertThat(out.changed()).containsExactly(0);
            }
        }
    }

    private static List<String> profiles(Gpu gpu) {
        return gpu.info().migDevices().stream().map(MigDevice::profile).sorted().toList();
    }

    /** A GPU of another host, seen at another index (a node with two kinds of GPU). */
    private record Reindexed(Gpu gpu, int index) implements Gpu {

        @Override
        public GpuInfo info() {
            GpuInfo i = gpu.info();
            return new GpuInfo(index, index, i.uuid(), i.name(), i.pciBusId(), i.pciDeviceId(), i.memoryTotalBytes(),
                i.computeCapability(), i.architecture(), i.migMode(), i.migDevices(), i.nvLinkPeers());
        }

        @Override
        public String uuid() {
            return gpu.uuid();
        }

        @Override
        public dev.gpuop.gpu.Utilization utilization() {
            return gpu.utilization();
        }

        @Override
        public dev.gpuop.gpu.MemoryInfo memory() {
            return gpu.memory();
        }

        @Override
        public int temperatureCelsius() {
            return gpu.temperatureCelsius();
        }

        @Override
        public int powerMilliwatts() {
            return gpu.powerMilliwatts();
        }

        @Override
        public long totalEnergyMillijoules() {
            return gpu.totalEnergyMillijoules();
        }

        @Override
        public int memoryTemperatureCelsius() {
            return gpu.memoryTemperatureCelsius();
        }

        @Override
        public int encoderUtilization() {
            return gpu.encoderUtilization();
        }

        @Override
        public int decoderUtilization() {
            return gpu.decoderUtilization();
        }

        @Override
        public int smClockMhz() {
            return gpu.smClockMhz();
        }

        @Override
        public int memoryClockMhz() {
            return gpu.memoryClockMhz();
        }

        @Override
        public dev.gpuop.gpu.EccErrors eccErrors() {
            return gpu.eccErrors();
        }

        @Override
        public dev.gpuop.gpu.RemappedRows remappedRows() {
            return gpu.remappedRows();
        }

        @Override
        public int pcieReplayCounter() {
            return gpu.pcieReplayCounter();
        }

        @Override
        public long throttleReasons() {
            return gpu.throttleReasons();
        }
    }
}
