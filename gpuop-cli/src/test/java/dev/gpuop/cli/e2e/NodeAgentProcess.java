package dev.gpuop.cli.e2e;

import dev.gpuop.testsupport.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/gpuop node-agent} on the test bed's node as its pod runs it (simulated GPUs, the API server's address
 * and a least-privilege service account), as a process a test can kill and start again. Every start appends to one
 * log, so registrations count across restarts.
 */
final class NodeAgentProcess implements AutoCloseable {

    /** What the device plugin logs each time the kubelet accepts its registration. */
    static final String REGISTERED = "registered nvidia.com/gpu with";

    private final TestCluster cluster;
    private final Path dir;
    private final Path config;
    private final Path log;
    private final String simulate;
    private Process process;

    /**
     * The device plugin alone on 8 simulated H100s.
     *
     * @param devicePluginConfig a device plugin config file in NVIDIA's format that the agent re-reads when it
     *                           changes, or null for none
     */
    NodeAgentProcess(TestCluster cluster, KubernetesClient k8s, Path devicePluginConfig) throws Exception {
        this(cluster, k8s, "devicePlugin:\n  kubeletDir: " + TestCluster.DEVICE_PLUGINS + "\n"
            + (devicePluginConfig == null ? "" : "  configFile: " + devicePluginConfig + "\n")
            + "server:\n  port: 0\n", "h100-sxm-8x");
    }

    /**
     * @param agentYaml the agent's config file
     * @param simulate {@code --simulate}'s value: a shipped fixture's name or a fixture file
     */
    NodeAgentProcess(TestCluster cluster, KubernetesClient k8s, String agentYaml, String simulate) throws Exception {
        this.cluster = cluster;
        this.simulate = simulate;
        this.dir = Files.createTempDirectory("gpuop-e2e-agent");
        NodeAgentServiceAccount.create(k8s, dir.resolve("serviceaccount"));
        this.config = Files.writeString(dir.resolve("agent.yaml"), agentYaml);
        this.log = dir.resolve("agent.log");
    }

    /** The log of every start. */
    Path log() {
        return log;
    }

    synchronized void start() throws IOException {
        Files.writeString(log, "--- start\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(cluster.repo().resolve("bin/gpuop").toString(), "node-agent",
            "--config", config.toString(), "--simulate", simulate, "--node-name", TestCluster.NODE)
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        pb.environment().put("KUBERNETES_SERVICE_PORT", "6443");
        pb.environment().put("GPUOP_SERVICEACCOUNT_DIR", dir.resolve("serviceaccount").toString());
        process = pb.start();
    }

    /** SIGKILL: no shutdown hook runs, the sockets stay where they were. */
    synchronized void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("node agent survived SIGKILL for 10 s");
        }
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** How many registrations the log shows, over every start. */
    long registrations() throws IOException {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(REGISTERED)).count();
        }
    }

    /** The last registration's line, or "" before the first. */
    String lastRegistration() throws IOException {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(REGISTERED)).reduce((a, b) -> b).orElse("");
        }
    }

    String tail(int lines) throws IOException {
        var all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** SIGTERM, as the kubelet stops a pod; false if the agent had not exited 20 s later (then SIGKILL). */
    synchronized boolean stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return true;
        }
        process.destroy();
        if (process.waitFor(20, TimeUnit.SECONDS)) {
            return true;
        }
        process.destroyForcibly();
        return false;
    }

    @Override
    public synchronized void close() throws Exception {
        stop();
    }
}
