package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, as a newcomer runs it after the build: its text is read from the README (so the
 * README cannot drift from what is tested) and run by the shell from the repository root, build step left out (this
 * tier runs after the package). On this machine without a GPU, doctor says what is missing, and render shows what
 * gpuop would do on the shipped example cluster of RKE2, K3s and plain containerd nodes.
 */
class ReadmeFirstCommandIT {

    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void theReadmesFirstCommandShowsDoctorAndWhatGpuopWouldDoOnTheExampleCluster() throws Exception {
        String readme = Files.readString(REPO.resolve("README.md"));
        String block = readme.substring(readme.indexOf("```\n") + 4, readme.indexOf("\n```", readme.indexOf("```\n")));
        String first = block.lines().findFirst().orElseThrow();
        assertThat(first).startsWith("scripts/build.sh && ");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", first.substring("scripts/build.sh && ".length()))
            .directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().put("GPUOP_CDS", "0");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        // doctor's table, every step with a result, whatever this host has
        assertThat(out).contains("STEP", "host/pci", "host/containerd-config", " passed, ");
        // render's summary of the example cluster: one node agent DaemonSet per containerd layout
        assertThat(out).contains("gpu-rke2-1     rke2       served by gpuop-node-agent-rke2",
            "gpu-k3s-1      k3s        served by gpuop-node-agent-k3s",
            "gpu-plain-1    containerd served by gpuop-node-agent", "GPU nodes (3 of 4)",
            "deploys container-toolkit dcgm-exporter device-plugin", "DaemonSet/gpuop-node-agent-rke2")
            .doesNotContain("cpu-1 ");
    }
}
