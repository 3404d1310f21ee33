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
import java.util.List;
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
    void postValidateRunsTheNodeChecksNowAndAnswersWithEachStage() throws Exception {
        Path plugins = dir.resolve("device-plugins");
        Path validations = dir.resolve("validations");
        Path host = Files.createDirectories(dir.resolve("host"));
        String yaml = """
            devicePlugin:
              kubeletDir: %s
            server:
              port: 0
            validation:
              dir: %s
            """;
        Path config = Files.writeString(dir.resolve("agent.yaml"), yaml.formatted(plugins, validations));
        Map<String, String> env = Map.of("GPUOP_HOST_ROOT", host.toString(), "CONTAINERD_SOCKET",
            "/run/containerd/containerd.sock");
        try (NodeAgent agent = new NodeAgent(NodeAgentConfig.load(config), "h100-sxm-8x", env);
             KubeletStandIn kubelet = new KubeletStandIn(plugins).start()) {
            agent.start();
            kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == 8, Duration.ofSeconds(20));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + agent.httpPort() + "/validate")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body().lines().toList()).hasSize(4);
            assertThat(r.body()).contains("driver passed: driver ", "8 GPU(s) answer")
                .contains("toolkit failed: no socket at " + host.resolve("run/containerd/containerd.sock"))
                .contains("cuda skipped: simulated GPUs").contains("plugin passed: the kubelet took nvidia.com/gpu=8");
            assertThat(validations.resolve("driver-ready")).exists();
            assertThat(validations.resolve("toolkit-ready")).doesNotExist();
            assertThat(get(agent.httpPort(), "/validate").statusCode()).as("GET does not run them").isEqualTo(405);
        }
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
            exporter:
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

    /**
     * MPS through the whole agent: the daemon starts on the driver's control program (a stand-in with its interface,
     * under the host root where the pod sees the node's driver) before the kubelet learns of the replicas, a replica's
     * Allocate points at that daemon's pipe, and the daemon quits with the agent. Without the program the resource
     * is not served and /readyz says which paths were searched.
     */
    @Test
    void mpsReplicasAreServedOnlyOnceTheirDaemonRunsAndTheDaemonQuitsWithTheAgent() throws Exception {
        Path plugins = dir.resolve("device-plugins");
        Path host = dir.resolve("host");
        Path mps = dir.resolve("mps");
        Path control = host.resolve("usr/bin/nvidia-cuda-mps-control");
        Files.createDirectories(control.getParent());
        Files.createDirectories(host.resolve("usr/lib64"));
        Files.writeString(host.resolve("usr/lib64/libcuda.so.1"), "");
        String yaml = """
            devicePlugin:
              kubeletDir: %s
              mpsDir: %s
              config:
                flags: {mpsRoot: /run/nvidia/mps}
                sharing: {mps: {resources: [{name: nvidia.com/gpu, replicas: 2}]}}
            server: {port: 0}
            """;
        Path config = Files.writeString(dir.resolve("agent.yaml"), yaml.formatted(plugins, mps));
        Map<String, String> env = Map.of("GPUOP_HOST_ROOT", host.toString());
        try (NodeAgent agent = new NodeAgent(NodeAgentConfig.load(config), "h200", env)) {
            agent.start();
            String why = get(agent.httpPort(), "/readyz").body();
            assertThat(why).contains("the MPS control daemon for nvidia.com/gpu did not start",
                "nvidia-cuda-mps-control was not found; searched " + control);
            assertThat(agent.devicePlugin().orElseThrow().resources()).isEmpty();
        }
        try (var in = getClass().getResourceAsStream("/dev/gpuop/node/mps/fake-nvidia-cuda-mps-control.sh")) {
            Files.write(control, in.readAllBytes());
        }
        control.toFile().setExecutable(true);
        Path calls = mps.resolve("nvidia.com/gpu/log/calls");
        try (NodeAgent agent = new NodeAgent(NodeAgentConfig.load(config), "h200", env);
             KubeletStandIn kubelet = new KubeletStandIn(plugins).start()) {
            agent.start();
            var devices = kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == 2, Duration.ofSeconds(20));
            assertThat(Files.readAllLines(calls)).contains("set_default_active_thread_percentage 50")
                .anyMatch(l -> l.startsWith("set_default_device_pinned_mem_limit 0 "));
            var r = kubelet.allocate("nvidia.com/gpu", List.of(devices.getFirst().getID()))
                .getContainerResponses(0);
            assertThat(r.getEnvsMap()).containsEntry("CUDA_MPS_PIPE_DIRECTORY", "/mps/nvidia.com/gpu/pipe");
            assertThat(r.getMountsList()).anyMatch(m -> m.getHostPath().equals("/run/nvidia/mps/nvidia.com/gpu/pipe"));
            assertThat(mps.resolve("nvidia.com/gpu/.started")).exists();
        }
        assertThat(Files.readAllLines(calls)).endsWith("quit");
        assertThat(mps.resolve("nvidia.com/gpu/.started")).doesNotExist();
    }

    /** The GPU metrics and labels need the GPUs, not the device plugin: with it off they still run. */
    @Test
    void metricsRunWithTheDevicePluginOff() throws Exception {
        String yaml = """
            nodeName: gpu-node-1
            devicePlugin:
              enabled: false
              kubeletDir: %s
            server: {port: 0}
            exporter: {port: 0}
            """;
        Path config = Files.writeString(dir.resolve("agent.yaml"), yaml.formatted(dir.resolve("dp")));
        try (NodeAgent agent = new NodeAgent(NodeAgentConfig.load(config), "h100-sxm-8x", Map.of())) {
            agent.start();
            assertThat(agent.devicePlugin()).isEmpty();
            assertThat(get(agent.httpPort(), "/readyz").statusCode()).isEqualTo(200);
            int port = agent.exporter().orElseThrow().port();
            String metrics = get(port, "/metrics").body();
            assertThat(metrics.lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{"))).hasSize(8)
                .allMatch(l -> l.contains("Hostname=\"gpu-node-1\""));
            assertThat(agent.report().featureLabels()).containsEntry("nvidia.com/gpu.count", "8");
        }
    }

    @Test
    void aHostWithoutGpusWaitsWhenFailOnInitErrorIsFalseAndStartsOnceTheDriverIsThere() throws Exception {
        Path fixture = Files.writeString(dir.resolve("none.json"), """
            {"description": "no driver", "driverVersion": "", "cudaDriverVersion": 0, "gpus": [],
             "faults": {"nvmlMissing": true}}
            """);
        String yaml = """
            devicePlugin:
              kubeletDir: %s
              config: {flags: {failOnInitError: false}}
            server: {port: 0}
            exporter: {port: 0}
            """;
        Path config = Files.writeString(dir.resolve("agent.yaml"), yaml.formatted(dir.resolve("dp")));
        try (NodeAgent agent = new NodeAgent(NodeAgentConfig.load(config), fixture.toString(), Map.of())) {
            agent.initRetryInterval(Duration.ofMillis(100));
            agent.start();
            HttpResponse<String> r = get(agent.httpPort(), "/readyz");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("cannot read the GPUs", "libnvidia-ml.so.1 was not found");
            assertThat(agent.devicePlugin()).isEmpty();
            assertThat(get(agent.httpPort(), "/healthz").statusCode()).isEqualTo(200);
            // the driver arrives (a driver container done installing): the agent finds it on its next try
            // written whole then moved in; a retry may still have read a half-written file before (now retried)
            try (var h200 = getClass().getResourceAsStream("/dev/gpuop/gpu/fixtures/h200.json")) {
                Path next = Files.write(dir.resolve("none.json.new"), h200.readAllBytes());
                Files.move(next, fixture, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (agent.devicePlugin().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(agent.devicePlugin()).isPresent();
            assertThat(agent.report().gpus()).isEqualTo(1);
            // the plugin is up before the agent drops its "cannot read" reason: wait for the next reason
            String why = get(agent.httpPort(), "/readyz").body();
            while (!why.contains("not registered with the kubelet") && System.nanoTime() < deadline) {
                Thread.sleep(20);
                why = get(agent.httpPort(), "/readyz").body();
            }
            assertThat(why).contains("not registered with the kubelet");
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
