package dev.gpuop.gpu.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuEvent;
import dev.gpuop.gpu.GpuEventStream;
import dev.gpuop.gpu.GpuEventType;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.MutableClock;
import dev.gpuop.gpu.NvmlReturn;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T00:00:00Z"));
    private final GpuFixture h100 = GpuFixtures.load("h100-sxm-8x");

    @Test
    void initFailureFailsOpenWithNvmlsCode() {
        GpuFixture broken = h100.withFaults(new Faults(NvmlReturn.ERROR_DRIVER_NOT_LOADED, false, null, null));
        assertThatThrownBy(() -> SimulatedGpuHost.open(broken, clock))
            .isInstanceOfSatisfying(GpuException.class, e -> {
                assertThat(e.call()).isEqualTo("nvmlInit_v2");
                assertThat(e.code()).isEqualTo(NvmlReturn.ERROR_DRIVER_NOT_LOADED);
            })
            .hasMessageStartingWith("nvmlInit_v2 failed: NVML_ERROR_DRIVER_NOT_LOADED (9)");
    }

    @Test
    void missingNvmlFailsAsAMissingLibrary() {
        GpuFixture none = h100.withFaults(new Faults(null, true, null, null));
        assertThatThrownBy(() -> SimulatedGpuHost.open(none, clock))
            .isInstanceOfSatisfying(DriverLibraryNotFoundException.class,
                e -> assertThat(e.soname()).isEqualTo("libnvidia-ml.so.1"))
            .hasMessageContaining("Install the NVIDIA driver");
    }

    @Test
    void xidArrivesOnlyOnceItsTimeHasCome() {
        GpuFixture withXid = h100.withFaults(new Faults(null, false,
            List.of(new Faults.XidFault(2, 48, 1_000), new Faults.XidFault(5, 13, 500)), null));
        try (GpuHost host = SimulatedGpuHost.open(withXid, clock);
             GpuEventStream events = host.events(EnumSet.of(GpuEventType.XID_CRITICAL_ERROR))) {
            assertThat(events.next(Duration.ZERO)).isEmpty();
            clock.advance(Duration.ofMillis(600));
            GpuEvent first = events.next(Duration.ZERO).orElseThrow();
            assertThat(first.isXid()).isTrue();
            assertThat(first.data()).isEqualTo(13);
            assertThat(first.gpuUuid()).isEqualTo(host.gpus().get(5).info().uuid());
            assertThat(first.gpuInstanceId()).isEqualTo(-1);
            assertThat(events.next(Duration.ofMillis(20))).isEmpty();
            clock.advance(Duration.ofMillis(400));
            GpuEvent second = events.next(Duration.ZERO).orElseThrow();
            assertThat(second.data()).isEqualTo(48);
            assertThat(second.gpuUuid()).isEqualTo(host.gpus().get(2).info().uuid());
            assertThat(second.receivedAt()).isEqualTo(clock.instant());
        }
    }

    @Test
    void eventsOfKindsNotAskedForAreNotDelivered() {
        GpuFixture withXid = h100.withFaults(new Faults(null, false, List.of(new Faults.XidFault(0, 79, 0)), null));
        try (GpuHost host = SimulatedGpuHost.open(withXid, clock);
             GpuEventStream events = host.events(EnumSet.of(GpuEventType.PSTATE))) {
            assertThat(events.next(Duration.ofMillis(10))).isEmpty();
        }
    }

    @Test
    void gpuThatFallsOffTheBusFailsEveryCallAndSendsXid79() {
        GpuFixture lost = h100.withFaults(new Faults(null, false, null, List.of(new Faults.BusFault(3, 2_000))));
        try (GpuHost host = SimulatedGpuHost.open(lost, clock);
             GpuEventStream events = host.events(EnumSet.allOf(GpuEventType.class))) {
            Gpu gpu3 = host.gpus().get(3);
            assertThat(gpu3.temperatureCelsius()).isEqualTo(35);
            clock.advance(Duration.ofSeconds(2));
            assertThatThrownBy(gpu3::temperatureCelsius).isInstanceOfSatisfying(GpuException.class,
                e -> assertThat(e.code()).isEqualTo(NvmlReturn.ERROR_GPU_IS_LOST));
            assertThatThrownBy(gpu3::readings).isInstanceOf(GpuException.class);
            assertThatThrownBy(gpu3::uuid).isInstanceOf(GpuException.class);
            assertThat(gpu3.info().uuid()).startsWith("GPU-");
            assertThat(host.gpus().get(4).temperatureCelsius()).isEqualTo(36);
            Optional<GpuEvent> e = events.next(Duration.ZERO);
            assertThat(e).get().satisfies(ev -> {
                assertThat(ev.data()).isEqualTo(Faults.XID_FALLEN_OFF_BUS);
                assertThat(ev.gpuUuid()).isEqualTo(gpu3.info().uuid());
            });
        }
    }

    @Test
    void faultsCanBeWrittenInTheFixtureFile() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("fixture", ".json");
        java.nio.file.Files.writeString(file, """
            {"description": "two GPUs, one lost", "driverVersion": "580.1", "cudaDriverVersion": 13000,
             "gpus": [
               {"name": "G", "uuid": "GPU-a", "pciBusId": "00000000:01:00.0", "pciDeviceId": "0x233510de",
                "memoryTotalMiB": 1024, "computeCapability": "9.0", "architecture": "HOPPER"},
               {"name": "G", "uuid": "GPU-b", "pciBusId": "00000000:02:00.0", "pciDeviceId": "0x233510de",
                "memoryTotalMiB": 1024, "computeCapability": "9.0", "architecture": "HOPPER"}],
             "faults": {"xidEvents": [{"gpu": 0, "xid": 31, "atMillis": 5}], "fallOffBus": [{"gpu": 1, "atMillis": 0}]}}
            """);
        try (GpuHost host = SimulatedGpuHost.open(GpuFixtures.load(file.toString()), clock)) {
            assertThatThrownBy(() -> host.gpus().get(1).memory()).isInstanceOf(GpuException.class);
            assertThat(host.gpus().get(0).memory().totalBytes()).isEqualTo(1L << 30);
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
