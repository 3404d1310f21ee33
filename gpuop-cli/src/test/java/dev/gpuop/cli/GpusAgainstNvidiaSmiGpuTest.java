package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code gpuop gpus --output json} against {@code nvidia-smi --query-gpu}, field by field, on a real GPU (tag gpu).
 */
@Tag("gpu")
class GpusAgainstNvidiaSmiGpuTest {

    private static Optional<Path> nvidiaSmi() {
        Stream<String> path = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"));
        return Stream.concat(path, Stream.of("/usr/local/nvidia/bin", "/usr/bin"))
            .map(d -> Path.of(d, "nvidia-smi")).filter(Files::isExecutable).findFirst();
    }

    @Test
    void everyFieldAgreesWithNvidiaSmi() throws Exception {
        Optional<Path> smi = nvidiaSmi();
        assumeTrue(smi.isPresent(), "nvidia-smi not found");
        Process p = new ProcessBuilder(smi.get().toString(),
            "--query-gpu=name,uuid,pci.bus_id,memory.total,driver_version,compute_cap",
            "--format=csv,noheader,nounits").redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor()).as("nvidia-smi: %s", lines).isZero();

        CliRun run = CliRun.of("gpus", "--output", "json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(run.out());
        JsonNode gpus = doc.get("gpus");
        assertThat(gpus).hasSize(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",\\s*");
            JsonNode g = gpus.get(i);
            System.out.println("nvidia-smi: " + lines.get(i));
            System.out.println("gpuop:      " + g.get("name").asText() + ", " + g.get("uuid").asText() + ", "
                + g.get("pciBusId").asText() + ", " + g.get("memoryTotalMiB").asText() + ", "
                + doc.get("driverVersion").asText() + ", " + g.get("computeCapability").asText());
            assertThat(g.get("name").asText()).isEqualTo(f[0]);
            assertThat(g.get("uuid").asText()).isEqualTo(f[1]);
            assertThat(g.get("pciBusId").asText()).isEqualTo(f[2]);
            assertThat(g.get("memoryTotalMiB").asLong()).isEqualTo(Long.parseLong(f[3]));
            assertThat(doc.get("driverVersion").asText()).isEqualTo(f[4]);
            assertThat(g.get("computeCapability").asText()).isEqualTo(f[5]);
        }
    }

    @Test
    void validateCudaPassesThroughTheCli() {
        CliRun run = CliRun.of("validate", "cuda");
        assumeTrue(run.exitCode() != ExitCodes.NO_DRIVER, "no libcuda here");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("[Vector addition of 50000 elements]", "Test PASSED");
    }
}
