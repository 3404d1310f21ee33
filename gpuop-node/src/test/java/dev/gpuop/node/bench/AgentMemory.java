package dev.gpuop.node.bench;

import dev.gpuop.testsupport.KubeletStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Resident memory of {@code bin/gpuop node-agent} serving 8 simulated GPUs to a kubelet stand-in (registered,
 * ListAndWatch open, 1,000 Allocate calls served), next to an idle JVM with the same flags.
 */
final class AgentMemory {

    private AgentMemory() {
    }

    static void measure(Path repo, String classpath) throws Exception {
        Path dir = Files.createTempDirectory("gpuop-rss");
        Path plugins = dir.resolve("plugins");
        Path config = Files.writeString(dir.resolve("agent.yaml"),
            "devicePlugin:\n  kubeletDir: " + plugins + "\nserver:\n  port: 0\n");
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
            for (int i = 0; i < 1_000; i++) {
                kubelet.allocate("nvidia.com/gpu", List.of(devices.get(i % 8).getID()));
            }
            Thread.sleep(3000);
            long a = rssKib(agent.pid());
            long b = rssKib(idle.pid());
            System.out.printf("node agent RSS, 8 simulated GPUs, registered and serving: %d MiB; idle JVM with the"
                + " same flags: %d MiB (%.2fx)%nflags: %s%n", a / 1024, b / 1024, (double) a / b, flags);
        } finally {
            agent.destroy();
            idle.destroy();
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
