package dev.gpuop.node.bench;

import dev.gpuop.kubelet.podresources.v1.ContainerDevices;
import dev.gpuop.kubelet.podresources.v1.ContainerResources;
import dev.gpuop.kubelet.podresources.v1.PodResources;
import dev.gpuop.testsupport.KubeletStandIn;
import dev.gpuop.testsupport.PodResourcesStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Resident memory of {@code bin/gpuop node-agent} serving 8 simulated GPUs to a kubelet stand-in (registered,
 * ListAndWatch open, 1,000 Allocate calls served) with its GPU metrics scraped 1,000 times and 50 pods behind a
 * pod-resources stand-in, next to an idle JVM with the same flags.
 */
final class AgentMemory {

    private AgentMemory() {
    }

    /** The agent with its GPU metrics off (the baseline), then on and scraped, one after the other. */
    static void measure(Path repo, String classpath) throws Exception {
        measure(repo, classpath, false);
        measure(repo, classpath, true);
    }

    private static void measure(Path repo, String classpath, boolean metrics) throws Exception {
        Path dir = Files.createTempDirectory("gpuop-rss");
        Path plugins = dir.resolve("plugins");
        int metricsPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            metricsPort = free.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("agent.yaml"), "devicePlugin:\n  kubeletDir: " + plugins
            + "\nserver:\n  port: 0\nexporter:\n  enabled: " + metrics + "\n  port: " + metricsPort + "\n");
        // the kubelet's pod-resources socket next to the device-plugin directory, as the agent looks for it
        Files.createDirectories(dir.resolve("pod-resources"));
        PodResourcesStandIn podResources = new PodResourcesStandIn(dir.resolve("pod-resources/kubelet.sock"));
        String flags = new String(new ProcessBuilder(repo.resolve("bin/gpuop").toString(),
            "--print-node-agent-jvm-flags").start().getInputStream().readAllBytes()).trim();
        ProcessBuilder agentPb = new ProcessBuilder(repo.resolve("bin/gpuop").toString(), "node-agent", "--config",
            config.toString(), "--simulate", "h100-sxm-8x", "--node-name", "bench")
            .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
        agentPb.environment().put("GPUOP_CDS", "0");
        List<String> idleCmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        idleCmd.addAll(List.of(flags.split(" ")));
        idleCmd.addAll(List.of("-cp", classpath, Idle.class.getName()));
        Process agent = agentPb.start();
        Process idle = new ProcessBuilder(idleCmd).start();
        try (KubeletStandIn kubelet = new KubeletStandIn(plugins)) {
            Thread.sleep(1500);
            kubelet.start();
            var devices = kubelet.awaitDevices("nvidia.com/gpu", d -> d.size() == 8, Duration.ofSeconds(30));
            List<PodResources> pods = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                pods.add(PodResources.newBuilder().setNamespace("team").setName("job-" + i).addContainers(
                    ContainerResources.newBuilder().setName("main").addDevices(ContainerDevices.newBuilder()
                        .setResourceName("nvidia.com/gpu").addDeviceIds(devices.get(i % 8).getID()))).build());
            }
            podResources.set(pods);
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            var scrape = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort
                + "/metrics")).build();
            for (int i = 0; i < 1_000; i++) {
                kubelet.allocate("nvidia.com/gpu", List.of(devices.get(i % 8).getID()));
                if (metrics) {
                    http.send(scrape, java.net.http.HttpResponse.BodyHandlers.discarding());
                }
            }
            Thread.sleep(3000);
            long early = rssKib(agent.pid());
            // past the agent's native heap trim (every 10 s): what the compiler's arenas held is given back by then
            Thread.sleep(12_000);
            long a = rssKib(agent.pid());
            long b = rssKib(idle.pid());
            System.out.printf("node agent RSS, 8 simulated GPUs, registered and serving, %s: %d MiB (3 s after the "
                + "load: %d MiB); idle JVM with the same flags: %d MiB (%.2fx)%nflags: %s%n", metrics
                ? "GPU metrics on, 50 pods, 1,000 scrapes" : "GPU metrics off", a / 1024, early / 1024, b / 1024,
                (double) a / b, flags);
        } finally {
            agent.destroy();
            idle.destroy();
            podResources.close();
        }
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }
}
