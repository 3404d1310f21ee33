package dev.gpuop.node.deviceplugin.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuHealthTrackerTest {

    private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");

    @Test
    void nvidiasDefaultXidsAreIgnored() {
        XidPolicy p = XidPolicy.fromEnv(Map.of());
        for (long xid : new long[] {13, 31, 43, 45, 68, 109}) {
            assertThat(p.isFatal(xid)).as("XID %d", xid).isFalse();
        }
        assertThat(p.isFatal(48)).isTrue();
        assertThat(p.isFatal(79)).isTrue();
        assertThat(p.isFatal(999)).isTrue();
        assertThat(p.watchesXids()).isTrue();
    }

    @Test
    void environmentOverridesAsNvidiaDoes() {
        XidPolicy p = XidPolicy.fromEnv(Map.of("DP_DISABLE_HEALTHCHECKS", "94, junk,95",
            "DP_ENABLE_HEALTHCHECKS", "31"));
        assertThat(p.isFatal(94)).isFalse();
        assertThat(p.isFatal(95)).isFalse();
        assertThat(p.isFatal(31)).as("enabled wins over the defaults").isTrue();
        assertThat(p.isFatal(48)).isTrue();
        XidPolicy off = XidPolicy.fromEnv(Map.of("DP_DISABLE_HEALTHCHECKS", "All"));
        assertThat(off.isFatal(48)).isFalse();
        assertThat(off.watchesXids()).isFalse();
        XidPolicy offButOne = XidPolicy.fromEnv(Map.of("DP_DISABLE_HEALTHCHECKS", "xids",
            "DP_ENABLE_HEALTHCHECKS", "79"));
        assertThat(offButOne.isFatal(79)).isTrue();
        assertThat(offButOne.isFatal(48)).isFalse();
        assertThat(offButOne.watchesXids()).isTrue();
        assertThat(XidPolicy.fromEnv(Map.of("DP_ENABLE_HEALTHCHECKS", "all")).isFatal(13)).isTrue();
    }

    @Test
    void aRecoverableXidHealsAfterCleanReadsForThePeriod() {
        GpuHealthTracker t = new GpuHealthTracker(XidPolicy.fromEnv(Map.of()), Duration.ofSeconds(60),
            List.of("GPU-a", "GPU-b"));
        assertThat(t.onXid("GPU-a", 44, T0)).get().satisfies(tr -> {
            assertThat(tr.healthy()).isFalse();
            assertThat(tr.reason()).isEqualTo("XID 44");
        });
        assertThat(t.isHealthy("GPU-a")).isFalse();
        assertThat(t.isHealthy("GPU-b")).isTrue();
        assertThat(t.onXid("GPU-a", 44, T0.plusSeconds(1))).as("already unhealthy").isEmpty();
        assertThat(t.onCleanRead("GPU-a", T0.plusSeconds(5))).isEmpty();
        assertThat(t.onCleanRead("GPU-a", T0.plusSeconds(30))).isEmpty();
        // a second XID during recovery restarts the clock
        t.onXid("GPU-a", 44, T0.plusSeconds(40));
        assertThat(t.onCleanRead("GPU-a", T0.plusSeconds(41))).isEmpty();
        assertThat(t.onCleanRead("GPU-a", T0.plusSeconds(70))).isEmpty();
        assertThat(t.onCleanRead("GPU-a", T0.plusSeconds(101))).get()
            .satisfies(tr -> assertThat(tr.healthy()).isTrue());
        assertThat(t.isHealthy("GPU-a")).isTrue();
    }

    @Test
    void xidsThatNeedAResetAndLostGpusNeverHealByThemselves() {
        GpuHealthTracker t = new GpuHealthTracker(XidPolicy.fromEnv(Map.of()), Duration.ofSeconds(1),
            List.of("GPU-a", "GPU-b"));
        assertThat(t.onXid("GPU-a", 48, T0)).get().satisfies(tr -> assertThat(tr.reason()).contains("reset"));
        t.onCleanRead("GPU-a", T0.plusSeconds(1));
        assertThat(t.onCleanRead("GPU-a", T0.plusSeconds(100))).isEmpty();
        assertThat(t.isHealthy("GPU-a")).isFalse();
        assertThat(t.onReadFailure("GPU-b", "GPU_IS_LOST", true, T0)).isPresent();
        t.onCleanRead("GPU-b", T0.plusSeconds(5));
        assertThat(t.onCleanRead("GPU-b", T0.plusSeconds(100))).isEmpty();
    }

    @Test
    void zeroPeriodKeepsNvidiasNeverRecoverBehaviour() {
        GpuHealthTracker t = new GpuHealthTracker(XidPolicy.fromEnv(Map.of()), Duration.ZERO, List.of("GPU-a"));
        t.onXid("GPU-a", 44, T0);
        assertThat(t.onCleanRead("GPU-a", T0.plusSeconds(3600))).isEmpty();
        assertThat(t.isHealthy("GPU-a")).isFalse();
    }

    @Test
    void ignoredXidsAndUnknownGpusChangeNothing() {
        GpuHealthTracker t = new GpuHealthTracker(XidPolicy.fromEnv(Map.of()), Duration.ofSeconds(1),
            List.of("GPU-a"));
        assertThat(t.onXid("GPU-a", 13, T0)).isEmpty();
        assertThat(t.onXid("GPU-zzz", 48, T0)).isEmpty();
        assertThat(t.isHealthy("GPU-a")).isTrue();
    }
}
