package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuReadings;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.exporter.DcgmExposition;
import dev.gpuop.node.exporter.DcgmFields;
import dev.gpuop.node.exporter.PodDevices;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
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

    /** The node agent's GPU series on a simulated HGX H100 whose GPU 2 a pod holds, as Prometheus stores them. */
    static Map<String, Set<String>> gpuSeries() {
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x")) {
            String held = host.gpus().get(2).info().uuid();
            Map<String, GpuReadings> slow = new HashMap<>();
            host.gpus().forEach(g -> slow.put(g.info().uuid(), GpuReadings.slow(g)));
            String text = new DcgmExposition(host, "gpu-node-1", slow::get,
                () -> Map.of(held, new PodDevices.PodRef("ml", "trainer-0", "main")), uuid -> null).render();
            Map<String, Set<String>> out = new HashMap<>();
            // the target labels Prometheus adds to every series it scrapes
            PromQueries.exposition(text).forEach((name, labels) -> {
                Set<String> all = new HashSet<>(labels);
                all.addAll(Set.of("instance", "job"));
                out.put(name, all);
            });
            return out;
        }
    }

    @Test
    void everyGpuQueryFindsItsMetricsAndLabelsInTheNodeAgentsExposition() throws Exception {
        Map<String, Set<String>> exposition = gpuSeries();
        List<String> gpuQueries = PromQueries.dashboard(DASHBOARD).stream().filter(q -> q.contains("DCGM_")).toList();
        assertThat(gpuQueries).hasSizeGreaterThan(8);
        for (String q : gpuQueries) {
            assertThat(PromQueries.missing(q, exposition)).as(q).isEmpty();
        }
    }

    /**
     * NVIDIA's own dashboard keeps working: every query resolves against gpuop's series, except the profiling field
     * gpuop does not read, which {@link DcgmFields#NOT_READ} names with its reason.
     */
    @Test
    void nvidiasDcgmExporterDashboardFindsItsMetricsAndLabels() throws IOException {
        Map<String, Set<String>> exposition = gpuSeries();
        List<String> queries;
        try (InputStream in = getClass().getResourceAsStream("nvidia-dcgm-exporter-dashboard-queries.txt")) {
            queries = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
        assertThat(queries).hasSize(10);
        Set<String> unresolved = new HashSet<>();
        for (String q : queries) {
            for (String miss : PromQueries.missing(q, exposition)) {
                unresolved.add(miss);
            }
        }
        assertThat(unresolved).containsExactly("metric DCGM_FI_PROF_PIPE_TENSOR_ACTIVE");
        assertThat(DcgmFields.NOT_READ).containsKey("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE");
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
