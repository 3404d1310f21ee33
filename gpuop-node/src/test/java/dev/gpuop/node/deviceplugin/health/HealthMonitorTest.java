package dev.gpuop.node.deviceplugin.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuEvent;
import dev.gpuop.gpu.GpuEventStream;
import dev.gpuop.gpu.GpuEventType;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.Faults;
import dev.gpuop.gpu.sim.GpuFixtures;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-29T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void aGpuLostFromTheBusIsSeenByThePollAndStaysUnhealthy() {
        var fixture = GpuFixtures.load("h100-sxm-8x").withFaults(new Faults(null, false, null,
            List.of(new Faults.BusFault(6, 1_000))));
        try (GpuHost host = SimulatedGpuHost.open(fixture, clock)) {
            String lost = host.gpus().get(6).info().uuid();
            GpuHealthTracker tracker = new GpuHealthTracker(XidPolicy.fromEnv(Map.of()), Duration.ofSeconds(10),
                host.gpus().stream().map(g -> g.info().uuid()).toList());
            List<HealthTransition> seen = new ArrayList<>();
            HealthMonitor m = new HealthMonitor(host, tracker, Duration.ofSeconds(5), clock, seen::add);
            m.pollOnce();
            assertThat(seen).isEmpty();
            now.set(now.get().plusSeconds(2));
            m.pollOnce();
            assertThat(seen).singleElement().satisfies(t -> {
                assertThat(t.gpuUuid()).isEqualTo(lost);
                assertThat(t.healthy()).isFalse();
                assertThat(t.reason()).contains("NVML_ERROR_GPU_IS_LOST");
            });
            now.set(now.get().plusSeconds(60));
            m.pollOnce();
            assertThat(tracker.isHealthy(lost)).isFalse();
            assertThat(tracker.isHealthy(host.gpus().get(5).info().uuid())).isTrue();
        }
    }

    @Test
    void anXidEventMarksItsGpuAndCleanPollsBringItBack() {
        try (GpuHost host = SimulatedGpuHost.open(GpuFixtures.load("h200"), clock)) {
            String uuid = host.gpus().getFirst().info().uuid();
            GpuHealthTracker tracker = new GpuHealthTracker(XidPolicy.fromEnv(Map.of()), Duration.ofSeconds(30),
                List.of(uuid));
            List<HealthTransition> seen = new ArrayList<>();
            HealthMonitor m = new HealthMonitor(host, tracker, Duration.ofSeconds(5), clock, seen::add);
            m.onEvent(new GpuEvent(uuid, GpuEventType.XID_CRITICAL_ERROR, 45, -1, -1, now.get()));
            assertThat(seen).as("XID 45 is an application error").isEmpty();
            m.onEvent(new GpuEvent(uuid, GpuEventType.XID_CRITICAL_ERROR, 61, -1, -1, now.get()));
            assertThat(tracker.isHealthy(uuid)).isFalse();
            m.pollOnce();
            now.set(now.get().plusSeconds(31));
            m.pollOnce();
            assertThat(tracker.isHealthy(uuid)).isTrue();
            assertThat(seen).extracting(HealthTransition::healthy).containsExactly(false, true);
        }
    }

    /**
     * The H200 run of 2026-12-04: NVML's wait ignores interrupts, so a monitor that did not wait for its event thread
     * let the host shut down first, and the late free of the event set failed with NVML_ERROR_UNINITIALIZED.
     */
    @Test
    void closeWaitsForTheEventThreadSoTheSetIsFreedBeforeTheHostShutsDown() throws Exception {
        SimulatedGpuHost sim = SimulatedGpuHost.open(GpuFixtures.load("h200"), clock);
        List<String> frees = new ArrayList<>();
        GpuHost host = new UninterruptibleEvents(sim, frees);
        GpuHealthTracker tracker = new GpuHealthTracker(XidPolicy.fromEnv(Map.of()), Duration.ofSeconds(30),
            List.of(sim.gpus().getFirst().info().uuid()));
        HealthMonitor m = new HealthMonitor(host, tracker, Duration.ofSeconds(5), clock, t -> { });
        m.start(true);
        for (int i = 0; i < 200 && m.xidEvents() == null; i++) {
            Thread.sleep(10);
        }
        assertThat(m.xidEvents()).isEqualTo(GpuEventWatcher.WATCHED);
        m.close();
        host.close();
        assertThat(frees).containsExactly("freed while the host was open");
        assertThat(m.xidEvents()).isEqualTo(GpuEventWatcher.WATCHED);
    }

    @Test
    void aGpuWithoutEventsIsNamedWithTheDriversReason() throws Exception {
        SimulatedGpuHost sim = SimulatedGpuHost.open(GpuFixtures.load("h200"), clock);
        String uuid = sim.gpus().getFirst().info().uuid();
        GpuHost host = new UninterruptibleEvents(sim, new ArrayList<>()) {
            @Override
            public GpuEventStream events(java.util.Set<GpuEventType> types) {
                GpuEventStream inner = super.events(types);
                return new GpuEventStream() {
                    @Override
                    public java.util.Optional<GpuEvent> next(Duration timeout) {
                        return inner.next(timeout);
                    }

                    @Override
                    public Map<String, String> unwatched() {
                        return Map.of(uuid, "nvmlDeviceGetSupportedEventTypes: NVML_ERROR_NOT_SUPPORTED");
                    }

                    @Override
                    public void close() {
                        inner.close();
                    }
                };
            }
        };
        HealthMonitor m = new HealthMonitor(host, new GpuHealthTracker(XidPolicy.fromEnv(Map.of()),
            Duration.ofSeconds(30), List.of(uuid)), Duration.ofSeconds(5), clock, t -> { });
        m.start(true);
        for (int i = 0; i < 200 && m.xidEvents() == null; i++) {
            Thread.sleep(10);
        }
        m.close();
        host.close();
        assertThat(m.xidEvents()).contains(uuid).contains("NVML_ERROR_NOT_SUPPORTED");
    }

    /** A host whose event wait blocks its whole timeout whatever the interrupts, as nvmlEventSetWait_v2 does. */
    private static class UninterruptibleEvents implements GpuHost {
        private final SimulatedGpuHost sim;
        private final List<String> frees;
        private volatile boolean shutdown;

        UninterruptibleEvents(SimulatedGpuHost sim, List<String> frees) {
            this.sim = sim;
            this.frees = frees;
        }

        @Override
        public String driverVersion() {
            return sim.driverVersion();
        }

        @Override
        public dev.gpuop.gpu.CudaVersion cudaDriverVersion() {
            return sim.cudaDriverVersion();
        }

        @Override
        public List<dev.gpuop.gpu.Gpu> gpus() {
            return sim.gpus();
        }

        @Override
        public GpuEventStream events(java.util.Set<GpuEventType> types) {
            return new GpuEventStream() {
                @Override
                public java.util.Optional<GpuEvent> next(Duration timeout) {
                    long end = System.nanoTime() + timeout.toNanos();
                    while (System.nanoTime() < end) {
                        java.util.concurrent.locks.LockSupport.parkNanos(end - System.nanoTime());
                    }
                    return java.util.Optional.empty();
                }

                @Override
                public void close() {
                    synchronized (frees) {
                        frees.add(shutdown ? "freed after nvmlShutdown" : "freed while the host was open");
                    }
                }
            };
        }

        @Override
        public void close() {
            shutdown = true;
            sim.close();
        }
    }
}
