package dev.gpuop.node.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.Faults;
import dev.gpuop.gpu.sim.GpuFixtures;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The part as the agent runs it: its own port, its own XID events, and no kubelet to ask. */
class DcgmExporterTest {

    @TempDir
    Path dir;

    @Test
    void servesMetricsAndHealthAndRecordsXidsFromItsOwnEventWatch() throws Exception {
        var fixture = GpuFixtures.load("h200").withFaults(new Faults(null, false,
            List.of(new Faults.XidFault(0, 48, 0)), null));
        try (GpuHost host = SimulatedGpuHost.open(fixture, Clock.systemUTC());
             DcgmExporter exporter = new DcgmExporter(host, "gpu-node-1", dir.resolve("kubelet.sock"))) {
            exporter.start(0);
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + exporter.port());
            assertThat(http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            String body = "";
            for (int i = 0; i < 100 && !body.contains("err_code=\"48\""); i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type")).hasValue(DcgmExposition.CONTENT_TYPE);
                body = r.body();
                Thread.sleep(20);
            }
            assertThat(body).contains("err_code=\"48\",err_msg=\"Double Bit ECC Error\"} 48")
                .contains("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{");
            assertThat(exporter.pods().problem()).contains("no kubelet pod-resources socket at");
            assertThat(exporter.xidEvents()).isEqualTo("watched");
        }
    }
}
