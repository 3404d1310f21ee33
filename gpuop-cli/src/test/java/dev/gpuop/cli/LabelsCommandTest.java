package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gpuop labels} as GFD's one-shot mode: on the simulated H200 under a host root laid out as that machine's
 * (its GPU at 0000:00:06.0, a 3D controller, no DMI), the output is, line for line, what GFD v0.17.4 wrote there
 * with {@code --no-timestamp} (gpuop-node's test resources, recorded on the H200).
 */
class LabelsCommandTest {

    private static String gfd(String variant) throws Exception {
        try (InputStream in = LabelsCommandTest.class.getResourceAsStream(
            "/dev/gpuop/node/labels/gfd-v0.17.4-h200/" + variant + ".txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Path h200Root(Path root) throws Exception {
        Path d = Files.createDirectories(root.resolve("sys/bus/pci/devices/0000:00:06.0"));
        Files.writeString(d.resolve("vendor"), "0x10de\n");
        Files.writeString(d.resolve("class"), "0x030200\n");
        Files.write(d.resolve("config"), new byte[256]);
        return root;
    }

    @Test
    void theSimulatedH200PrintsWhatGfdWroteOnTheRealOne(@TempDir Path root) throws Exception {
        CliRun run = CliRun.of("labels", "--simulate", "h200", "--no-timestamp", "--host-root",
            h200Root(root).toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        String expected = gfd("default").lines().filter(l -> !l.startsWith("nvidia.com/gfd.timestamp="))
            .reduce("", (a, b) -> a + b + "\n");
        assertThat(run.out()).isEqualTo(expected);
    }

    @Test
    void theMigStrategyFlagAndJsonOutput(@TempDir Path root) throws Exception {
        CliRun run = CliRun.of("labels", "--simulate", "h200", "--no-timestamp", "--mig-strategy", "mixed",
            "--host-root", h200Root(root).toString(), "-o", "json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, String> labels = new ObjectMapper().readValue(run.out(), Map.class);
        Map<String, String> expected = new java.util.TreeMap<>();
        gfd("mixed").lines().forEach(l -> expected.put(l.substring(0, l.indexOf('=')),
            l.substring(l.indexOf('=') + 1)));
        assertThat(labels).isEqualTo(expected);
    }

    @Test
    void aSharingConfigFileSharesTheGpuAndABadOneIsAClearError(@TempDir Path root) throws Exception {
        Path config = Files.writeString(root.resolve("dp.yaml"), "version: v1\nsharing:\n  mps:\n    resources:\n"
            + "    - name: nvidia.com/gpu\n      replicas: 2\n");
        CliRun run = CliRun.of("labels", "--simulate", "h200", "--no-timestamp", "--host-root",
            h200Root(root).toString(), "--config-file", config.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(gfd("mps"));
        Path bad = Files.writeString(root.resolve("bad.yaml"), "version: v1\nsharing:\n  timeSlicing:\n"
            + "    resources:\n    - name: nvidia.com/gpu\n      replicas: 1\n");
        CliRun refused = CliRun.of("labels", "--simulate", "h200", "--config-file", bad.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("replicas: 1 must be 2 or more").doesNotContain("Exception");
    }

    @Test
    void withATimestampItIsNow() {
        long before = java.time.Instant.now().getEpochSecond();
        CliRun run = CliRun.of("labels", "--simulate", "mx150-laptop");
        assertThat(run.exitCode()).isZero();
        long ts = Long.parseLong(run.out().lines().filter(l -> l.startsWith("nvidia.com/gfd.timestamp="))
            .findFirst().orElseThrow().split("=")[1]);
        assertThat(ts).isBetween(before, before + 60);
        assertThat(run.out()).contains("nvidia.com/gpu.product=NVIDIA-GeForce-MX150\n",
            "nvidia.com/mig.capable=false\n");
    }
}
