package dev.gpuop.gpu.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.gpu.ComputeCapability;
import dev.gpuop.gpu.CudaVersion;
import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuArchitecture;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.GpuReadings;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.MutableClock;
import dev.gpuop.gpu.NvmlReturn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every field of every shipped fixture, read through the GpuHost interface as product code reads it. */
class SimulatedGpuHostTest {

    private static GpuHost open(String name) {
        return SimulatedGpuHost.open(GpuFixtures.load(name), new MutableClock(Instant.EPOCH));
    }

    @Test
    void seedLaptopIsOneMx150WithoutPowerReadings() {
        try (GpuHost host = open("mx150-laptop")) {
            assertThat(host.driverVersion()).isEqualTo("525.78.01");
            assertThat(host.cudaDriverVersion()).isEqualTo(new CudaVersion(12, 0));
            assertThat(host.gpus()).hasSize(1);
            Gpu gpu = host.gpus().getFirst();
            GpuInfo i = gpu.info();
            assertThat(i.index()).isZero();
            assertThat(i.minorNumber()).isZero();
            assertThat(i.name()).isEqualTo("NVIDIA GeForce MX150");
            assertThat(i.uuid()).matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            assertThat(i.pciBusId()).isEqualTo("00000000:01:00.0");
            assertThat(i.pciDeviceId()).isEqualTo(0x1d1010de);
            assertThat(i.memoryTotalMiB()).isEqualTo(2048);
            assertThat(i.computeCapability()).isEqualTo(new ComputeCapability(6, 1));
            assertThat(i.architecture()).isEqualTo(GpuArchitecture.PASCAL);
            assertThat(i.family()).isEqualTo("pascal");
            assertThat(i.migCapable()).isFalse();
            assertThat(i.migEnabled()).isFalse();
            assertThat(i.migDevices()).isEmpty();
            assertThat(i.nvLinkPeers()).isEmpty();
            assertThat(gpu.uuid()).isEqualTo(i.uuid());
            assertThatThrownBy(gpu::powerMilliwatts).isInstanceOfSatisfying(GpuException.class,
                e -> assertThat(e.code()).isEqualTo(NvmlReturn.ERROR_NOT_SUPPORTED));
            GpuReadings r = gpu.readings();
            assertThat(r.powerMilliwatts()).isNull();
            assertThat(r.totalEnergyMillijoules()).isNull();
            assertThat(r.eccErrors()).isNull();
            assertThat(r.remappedRows()).isNull();
            assertThat(r.pcieReplayCounter()).isNull();
            assertThat(r.temperatureCelsius()).isEqualTo(41);
            assertThat(r.utilization().gpuPercent()).isEqualTo(3);
            assertThat(r.utilization().memoryPercent()).isEqualTo(1);
            assertThat(r.smClockMhz()).isEqualTo(1468);
            assertThat(r.memoryClockMhz()).isEqualTo(3004);
            assertThat(r.throttleReasons()).isZero();
            assertThat(r.memory().totalBytes()).isEqualTo(2048L << 20);
            assertThat(r.memory().reservedBytes()).isEqualTo(53L << 20);
            assertThat(r.memory().usedBytes()).isEqualTo(12L << 20);
            assertThat(r.memory().freeBytes()).isEqualTo((2048L - 53 - 12) << 20);
        }
    }

    @Test
    void hgxH100HasEightGpusAllLinkedThroughTheSwitches() {
        try (GpuHost host = open("h100-sxm-8x")) {
            assertThat(host.driverVersion()).isEqualTo("550.90.07");
            assertThat(host.cudaDriverVersion()).hasToString("12.4");
            List<Gpu> gpus = host.gpus();
            assertThat(gpus).hasSize(8);
            assertThat(gpus).extracting(g -> g.info().index()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(gpus).extracting(g -> g.info().uuid()).doesNotHaveDuplicates();
            for (Gpu g : gpus) {
                GpuInfo i = g.info();
                assertThat(i.name()).isEqualTo("NVIDIA H100 80GB HBM3");
                assertThat(i.memoryTotalMiB()).isEqualTo(81559);
                assertThat(i.family()).isEqualTo("hopper");
                assertThat(i.architecture()).isEqualTo(GpuArchitecture.HOPPER);
                assertThat(i.migCapable()).isTrue();
                assertThat(i.migEnabled()).isFalse();
                assertThat(i.migMode().changePending()).isFalse();
                assertThat(i.nvLinkPeers()).hasSize(7);
                assertThat(i.nvLinkPeers()).allSatisfy(p -> assertThat(p.links()).isEqualTo(18));
                assertThat(i.nvLinkPeers()).extracting(p -> p.peerIndex()).doesNotContain(i.index());
            }
            assertThat(gpus.get(3).readings().memory().usedBytes()).isEqualTo(3072L << 20);
            assertThat(gpus.get(3).temperatureCelsius()).isEqualTo(35);
            assertThat(gpus.get(3).info().nvLinkPeers().getFirst().peerUuid()).isEqualTo(gpus.get(0).info().uuid());
        }
    }

    @Test
    void a100WithMixedMigProfilesListsEveryMigDevice() {
        try (GpuHost host = open("a100-mig-mixed")) {
            GpuInfo i = host.gpus().getFirst().info();
            assertThat(i.migEnabled()).isTrue();
            assertThat(i.family()).isEqualTo("ampere");
            assertThat(i.memoryTotalMiB()).isEqualTo(40960);
            List<MigDevice> migs = i.migDevices();
            assertThat(migs).extracting(MigDevice::profile).containsExactly("3g.20gb", "2g.10gb", "1g.5gb", "1g.5gb");
            assertThat(migs).extracting(MigDevice::gpuInstanceId).containsExactly(1, 5, 13, 14);
            assertThat(migs).extracting(MigDevice::index).containsExactly(0, 1, 2, 3);
            assertThat(migs).allSatisfy(m -> assertThat(m.uuid()).startsWith("MIG-"));
            assertThat(migs.getFirst().multiprocessorCount()).isEqualTo(42);
            assertThat(migs.getFirst().memoryMiB()).isEqualTo(19968);
            GpuReadings r = host.gpus().getFirst().readings();
            assertThat(r.eccErrors().correctedVolatile()).isEqualTo(2);
            assertThat(r.remappedRows().corrected()).isEqualTo(1);
            assertThat(r.remappedRows().pending()).isFalse();
        }
    }

    @Test
    void h200MatchesTheLentMachinesShape() {
        try (GpuHost host = open("h200")) {
            assertThat(host.cudaDriverVersion()).hasToString("13.0");
            Gpu gpu = host.gpus().getFirst();
            assertThat(gpu.info().memoryTotalMiB()).isEqualTo(143771);
            assertThat(gpu.info().pciDeviceId() >>> 16).isEqualTo(0x2335);
            assertThat(gpu.info().pciDeviceId() & 0xffff).isEqualTo(0x10de);
            assertThat(gpu.powerMilliwatts()).isEqualTo(120640);
            assertThat(gpu.totalEnergyMillijoules()).isEqualTo(2210725);
            assertThat(gpu.smClockMhz()).isEqualTo(1980);
            assertThat(gpu.memoryClockMhz()).isEqualTo(3201);
            assertThat(gpu.pcieReplayCounter()).isZero();
            assertThat(gpu.throttleReasons()).isEqualTo(1);
            assertThat(gpu.eccErrors().uncorrectedAggregate()).isZero();
        }
    }

    @Test
    void aClosedHostFailsAsUninitialisedNvmlDoes() {
        GpuHost host = open("h200");
        Gpu gpu = host.gpus().getFirst();
        host.close();
        assertThatThrownBy(gpu::utilization).isInstanceOfSatisfying(GpuException.class,
            e -> assertThat(e.code()).isEqualTo(NvmlReturn.ERROR_UNINITIALIZED));
    }

    @Test
    void aFixtureFileRewrittenWithOtherGpusOpensAsTheNewGpus(@TempDir Path dir) throws Exception {
        // a host without a driver whose driver then arrives: the second open must see the GPUs, not the first
        // open's (empty) hardware kept under the same file name
        Path file = Files.writeString(dir.resolve("host.json"), """
            {"description": "no GPUs yet", "driverVersion": "580.1", "cudaDriverVersion": 13000, "gpus": []}
            """);
        try (GpuHost none = SimulatedGpuHost.open(file.toString())) {
            assertThat(none.gpus()).isEmpty();
        }
        try (var h100 = getClass().getResourceAsStream("/dev/gpuop/gpu/fixtures/h100-sxm-8x.json")) {
            Files.write(file, h100.readAllBytes());
        }
        try (GpuHost eight = SimulatedGpuHost.open(file.toString())) {
            assertThat(eight.gpus()).hasSize(8);
            assertThat(eight.gpus().getLast().info().name()).contains("H100");
        }
    }
}
