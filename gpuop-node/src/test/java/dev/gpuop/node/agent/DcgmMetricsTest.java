package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuReadings;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** dcgm-exporter's names, labels and units, from the same NVML readings the rest of the agent uses. */
class DcgmMetricsTest {

    @Test
    void everyGpuGetsDcgmNamedGaugesWithDcgmLabelsAndUnits() throws Exception {
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x")) {
            MetricSnapshots snaps = new DcgmMetrics(host, "gpu-node-1").collect();
            Gpu gpu3 = host.gpus().get(3);
            GpuReadings r = GpuReadings.read(gpu3);
            GaugeSnapshot util = gauge(snaps, "DCGM_FI_DEV_GPU_UTIL");
            assertThat(util.getDataPoints()).hasSize(8);
            var point = util.getDataPoints().stream().filter(p -> p.getLabels().get("UUID")
                .equals(gpu3.info().uuid())).findFirst().orElseThrow();
            assertThat(point.getLabels().get("gpu")).isEqualTo("3");
            assertThat(point.getLabels().get("device")).isEqualTo("nvidia" + gpu3.info().minorNumber());
            assertThat(point.getLabels().get("modelName")).isEqualTo(gpu3.info().name());
            assertThat(point.getLabels().get("Hostname")).isEqualTo("gpu-node-1");
            assertThat(point.getValue()).isEqualTo(r.utilization().gpuPercent());
            var fb = gauge(snaps, "DCGM_FI_DEV_FB_USED").getDataPoints().stream().filter(p -> p.getLabels()
                .get("gpu").equals("3")).findFirst().orElseThrow();
            assertThat(fb.getValue()).isEqualTo(r.memory().usedBytes() / (1024.0 * 1024.0));
            var power = gauge(snaps, "DCGM_FI_DEV_POWER_USAGE").getDataPoints().stream().filter(p -> p.getLabels()
                .get("gpu").equals("3")).findFirst().orElseThrow();
            assertThat(power.getValue()).isEqualTo(r.powerMilliwatts() / 1000.0);

            PrometheusRegistry registry = new PrometheusRegistry();
            registry.register(new DcgmMetrics(host, "gpu-node-1"));
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(text, registry.scrape());
            assertThat(text.toString(StandardCharsets.UTF_8)).contains("# TYPE DCGM_FI_DEV_GPU_TEMP gauge")
                .contains("DCGM_FI_DEV_SM_CLOCK{").contains("UUID=\"" + gpu3.info().uuid() + "\"");
        }
    }

    private static GaugeSnapshot gauge(MetricSnapshots snaps, String name) {
        return snaps.stream().filter(s -> s.getMetadata().getPrometheusName().equals(name))
            .map(GaugeSnapshot.class::cast).findFirst().orElseThrow();
    }
}
