package dev.gpuop.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuEvent;
import dev.gpuop.gpu.GpuEventStream;
import dev.gpuop.gpu.GpuEventType;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.GpuReadings;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The binding against a real driver: runs on the GPU machine (tag gpu), skipped where NVML is absent. */
@Tag("gpu")
class NvmlGpuHostGpuTest {

    @BeforeAll
    static void needsNvml() {
        try {
            NvmlGpuHost.open(DriverLibraries.standard()).close();
        } catch (DriverLibraryNotFoundException e) {
            assumeTrue(false, "no NVML here: " + e.getMessage());
        }
    }

    @Test
    void everyGpuDescribesItselfConsistently() {
        try (GpuHost host = NvmlGpuHost.open(DriverLibraries.standard())) {
            assertThat(host.driverVersion()).matches("\\d+\\.\\d+(\\.\\d+)?");
            assertThat(host.cudaDriverVersion().major()).isGreaterThanOrEqualTo(11);
            assertThat(host.gpus()).isNotEmpty();
            for (Gpu gpu : host.gpus()) {
                GpuInfo i = gpu.info();
                assertThat(i.uuid()).matches("GPU-[0-9a-f-]{36}");
                assertThat(gpu.uuid()).isEqualTo(i.uuid());
                assertThat(i.pciBusId()).matches("[0-9A-F]{8}:[0-9A-F]{2}:[0-9A-F]{2}\\.[0-7]");
                assertThat(i.pciDeviceId() & 0xffff).isEqualTo(0x10de);
                assertThat(i.memoryTotalBytes()).isPositive();
                assertThat(i.computeCapability().major()).isGreaterThanOrEqualTo(5);
                assertThat(i.family()).isNotEqualTo("undefined");
                assertThat(i.architecture().name()).isNotEqualTo("UNKNOWN");
                System.out.println("NVML: " + i);
            }
        }
    }

    @Test
    void liveReadingsAreInRange() {
        try (GpuHost host = NvmlGpuHost.open(DriverLibraries.standard())) {
            for (Gpu gpu : host.gpus()) {
                GpuReadings r = gpu.readings();
                System.out.println("NVML readings: " + r);
                assertThat(r.utilization().gpuPercent()).isBetween(0, 100);
                assertThat(r.memory().totalBytes()).isEqualTo(gpu.info().memoryTotalBytes());
                assertThat(r.memory().freeBytes() + r.memory().usedBytes() + r.memory().reservedBytes())
                    .isEqualTo(r.memory().totalBytes());
                assertThat(r.temperatureCelsius()).isBetween(1, 110);
                assertThat(r.smClockMhz()).isPositive();
                assertThat(r.memoryClockMhz()).isPositive();
                if (r.powerMilliwatts() != null) {
                    assertThat(r.powerMilliwatts()).isBetween(1_000, 2_000_000);
                }
                if (r.totalEnergyMillijoules() != null) {
                    assertThat(r.totalEnergyMillijoules()).isPositive();
                }
            }
        }
    }

    @Test
    void eventStreamOpensWaitsAndCloses() {
        try (GpuHost host = NvmlGpuHost.open(DriverLibraries.standard());
             GpuEventStream events = host.events(EnumSet.of(GpuEventType.XID_CRITICAL_ERROR,
                 GpuEventType.DOUBLE_BIT_ECC_ERROR, GpuEventType.SINGLE_BIT_ECC_ERROR))) {
            long t0 = System.nanoTime();
            Optional<GpuEvent> e = events.next(Duration.ofMillis(200));
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            // an idle GPU has no XID: the wait must time out rather than fail or return at once
            assertThat(e).isEmpty();
            assertThat(waitedMs).isGreaterThanOrEqualTo(150);
            // events missing for a reason of ours (a wrong mask) fail here; only the driver's refusal may remain
            assertThat(events.unwatched().values()).as("GPUs without XID events: %s", events.unwatched())
                .allMatch(why -> why.endsWith("NVML_ERROR_NOT_SUPPORTED"));
        }
    }

    /** Why the agent logged NVML_ERROR_UNINITIALIZED on 2026-12-04: an event set freed after the last shutdown. */
    @Test
    void anEventSetFreedAfterShutdownFailsUninitialised() {
        NvmlGpuHost host = NvmlGpuHost.open(DriverLibraries.standard());
        GpuEventStream events = host.events(EnumSet.of(GpuEventType.XID_CRITICAL_ERROR));
        host.close();
        assertThatThrownBy(events::close).isInstanceOfSatisfying(dev.gpuop.gpu.GpuException.class,
            e -> assertThat(e.code()).isEqualTo(dev.gpuop.gpu.NvmlReturn.ERROR_UNINITIALIZED));
    }

    @Test
    void openIsSharedAndShutdownHappensOnLastClose() {
        NvmlGpuHost a = NvmlGpuHost.open(DriverLibraries.standard());
        NvmlGpuHost b = NvmlGpuHost.open(DriverLibraries.standard());
        assertThat(b).isSameAs(a);
        a.close();
        assertThat(b.gpus().getFirst().uuid()).startsWith("GPU-");
        b.close();
        NvmlGpuHost c = NvmlGpuHost.open(DriverLibraries.standard());
        assertThat(c).isNotSameAs(a);
        assertThat(c.gpus().getFirst().uuid()).startsWith("GPU-");
        c.close();
    }
}
