package dev.gpuop.node.deviceplugin.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuEvent;
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
}
