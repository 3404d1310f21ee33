package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeReporterTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
    private static final NodeReport EIGHT =
        new NodeReport(true, 8, true, "", true, Map.of("nvidia.com/gpu.count", "8"));

    @Test
    void theFirstTickReadsTheNode() {
        assertThat(NodeReporter.mustRead(EIGHT, null, null, T0)).isTrue();
    }

    @Test
    void anUnchangedConfirmedReportIsNotReadAgainBeforeTheResync() {
        assertThat(NodeReporter.mustRead(EIGHT, EIGHT, T0, T0.plusSeconds(10))).isFalse();
        assertThat(NodeReporter.mustRead(EIGHT, EIGHT, T0, T0.plus(NodeReporter.RESYNC).minusMillis(1))).isFalse();
    }

    @Test
    void theResyncReadsTheNodeAgainSoARemovedLabelComesBack() {
        assertThat(NodeReporter.mustRead(EIGHT, EIGHT, T0, T0.plus(NodeReporter.RESYNC))).isTrue();
        assertThat(NodeReporter.RESYNC).isLessThanOrEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aChangedReportIsReadAndWrittenAtOnce() {
        NodeReport oneLost = new NodeReport(true, 7, false, "GPU-1 is Unhealthy", true,
            Map.of("nvidia.com/gpu.count", "7"));
        assertThat(NodeReporter.mustRead(oneLost, EIGHT, T0, T0.plusSeconds(10))).isTrue();
        NodeReport sameValues = new NodeReport(true, 8, true, "", true, Map.of("nvidia.com/gpu.count", "8"));
        assertThat(NodeReporter.mustRead(sameValues, EIGHT, T0, T0.plusSeconds(10))).as("equal by value").isFalse();
    }
}
