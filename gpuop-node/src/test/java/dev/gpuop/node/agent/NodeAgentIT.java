package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import dev.gpuop.testsupport.KubeletStandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent as a whole: config file in, device plugin registered, /healthz, /readyz and /metrics out. */
class NodeAgentIT {

    @TempDir
    Path dir;

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyOnlyOnceRegisteredAndMetricsCountIt() throws Exception {
        Path plugins = dir.resolve("device-plugins");
        String yaml = """
            nodeName: gpu-node-1
            devicePlugin:
              kubeletDir: %s
              config:
                version: v1
                sharing:
                  timeSlicing:
                    resources:
                    - name: nvidia.com/gpu
                      replicas: 2
            server:
              port: 0
            """;
        Path config = Files.writeString(dir.resolve("agent.yaml"), yaml.formatted(plugins));
        try (NodeAgent agent = new NodeAgent(NodeAgentConfig.load(config), "h100-sxm-8x", Map.of())) {
            agent.start();
            int port = agent.httpPort();
            assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> notYet = get(port, "/readyz");
            assertThat(notYet.statusCode()).isEqualTo(503);
            assertThat(notYet.body()).contains("not registered with the kubelet");
            try (KubeletStandIn kubelet = new KubeletStandIn(plugins).start()) {
                kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == 16, Duration.ofSeconds(20));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (get(port, "/readyz").statusCode() != 200 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);
                String metrics = get(port, "/metrics").body();
                assertThat(metrics).contains("gpuop_device_plugin_registrations_total{resource=\"nvidia.com/gpu\"} 1");
            }
        }
    }

    @Test
    void aHostWithoutGpusIdlesWhenFailOnInitErrorIsFalse() throws Exception {
        Path fixture = Files.writeString(dir.resolve("none.json"), """
            {"description": "no driver", "driverVersion": "", "cudaDriverVersion": 0, "gpus": [],
             "faults": {"nvmlMissing": true}}
            """);
        String yaml = """
            devicePlugin:
              kubeletDir: %s
              config: {flags: {failOnInitError: false}}
            server: {port: 0}
            """;
        Path config = Files.writeString(dir.resolve("agent.yaml"), yaml.formatted(dir.resolve("dp")));
        try (NodeAgent agent = new NodeAgent(NodeAgentConfig.load(config), fixture.toString(), Map.of())) {
            agent.start();
            HttpResponse<String> r = get(agent.httpPort(), "/readyz");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("cannot read the GPUs", "libnvidia-ml.so.1 was not found");
            assertThat(agent.devicePlugin()).isEmpty();
        }
    }

    @Test
    void aTypoInTheAgentConfigIsRefusedNamingIt() throws Exception {
        Path config = Files.writeString(dir.resolve("agent.yaml"), "devicePlugin:\n  enabeld: true\n");
        assertThatThrownBy(() -> NodeAgentConfig.load(config)).isInstanceOf(InvalidConfigException.class)
            .hasMessageContaining("agent.yaml").hasMessageContaining("enabeld");
        Path badDuration = Files.writeString(dir.resolve("d.yaml"), "devicePlugin:\n  healthPollInterval: soon\n");
        assertThatThrownBy(() -> NodeAgentConfig.load(badDuration).devicePlugin().pollInterval())
            .hasMessageContaining("devicePlugin.healthPollInterval: 'soon'");
    }
}
