package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.agent.DcgmMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/grafana/gpuop.json}: every panel queries the data source variable, and every GPU query's metrics and
 * labels are in the node agent's DCGM exposition on a simulated HGX H100 (the operator's and device plugin's metrics,
 * and the whole dashboard against real pods, are checked in {@code DemoScriptE2E}).
 */
class GrafanaDashboardTest {

    static final Path DASHBOARD = Path.of(System.getProperty("user.dir")).getParent()
        .resolve("deploy/grafana/gpuop.json");

    @Test
    void everyPanelHasAQueryOnTheDataSourceVariable() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(d.path("uid").asText()).isNotBlank();
        for (JsonNode p : d.path("panels")) {
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText())
                .isEqualTo("${datasource}");
            assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty()
                .allSatisfy(t -> assertThat(t.path("expr").asText()).isNotBlank());
        }
    }

    @Test
    void everyGpuQueryFindsItsMetricsAndLabelsInTheNodeAgentsExposition() throws Exception {
        Map<String, Set<String>> exposition;
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x")) {
            PrometheusRegistry registry = new PrometheusRegistry();
            registry.register(new DcgmMetrics(host, "gpu-node-1"));
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(text, registry.scrape());
            exposition = PromQueries.exposition(text.toString(StandardCharsets.UTF_8));
        }
        List<String> gpuQueries = PromQueries.dashboard(DASHBOARD).stream().filter(q -> q.contains("DCGM_")).toList();
        assertThat(gpuQueries).hasSizeGreaterThan(8);
        for (String q : gpuQueries) {
            assertThat(PromQueries.missing(q, exposition)).as(q).isEmpty();
        }
    }

    @Test
    void theScannerTellsMetricsFromFunctionsAndFindsWhatIsMissing() {
        PromQueries.Demands d = PromQueries.of("histogram_quantile(0.99, sum by (le) "
            + "(rate(gpuop_operator_reconcile_duration_seconds_bucket[5m])))");
        assertThat(d.metrics()).containsOnlyKeys("gpuop_operator_reconcile_duration_seconds_bucket");
        assertThat(d.grouping()).containsExactly("le");
        d = PromQueries.of("DCGM_FI_DEV_FB_USED{Hostname=~\"$Hostname\", gpu=~\"$gpu\"} / "
            + "(DCGM_FI_DEV_FB_USED{gpu=\"1\"} + DCGM_FI_DEV_FB_FREE) * 100");
        assertThat(d.metrics()).containsOnlyKeys("DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE");
        assertThat(d.metrics().get("DCGM_FI_DEV_FB_USED")).containsExactly("Hostname", "gpu");
        d = PromQueries.of("label_values(DCGM_FI_DEV_GPU_UTIL{Hostname=~\"$Hostname\"}, gpu)");
        assertThat(d.metrics().get("DCGM_FI_DEV_GPU_UTIL")).containsExactlyInAnyOrder("Hostname", "gpu");

        Map<String, Set<String>> exp = PromQueries.exposition("# TYPE x gauge\nx{gpu=\"0\",UUID=\"a}b\"} 1\ny 2\n");
        assertThat(exp).containsEntry("x", Set.of("gpu", "UUID")).containsEntry("y", Set.of());
        assertThat(PromQueries.missing("sum by (node) (x{Hostname=\"a\"}) + z", exp))
            .containsExactlyInAnyOrder("label Hostname of x", "metric z", "grouping label node");
        assertThat(PromQueries.missing("sum by (gpu) (rate(x{UUID!=\"\"}[5m])) * y", exp)).isEmpty();
    }
}
