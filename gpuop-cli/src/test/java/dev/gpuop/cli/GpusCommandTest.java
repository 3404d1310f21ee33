package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpusCommandTest {

    @Test
    void jsonOfTheH100BoardCarriesEveryGpuAndField() throws Exception {
        CliRun run = CliRun.of("gpus", "--simulate", "h100-sxm-8x", "--output", "json");
        assertThat(run.exitCode()).isZero();
        JsonNode doc = new ObjectMapper().readTree(run.out());
        assertThat(doc.get("driverVersion").asText()).isEqualTo("550.90.07");
        assertThat(doc.get("cudaDriverVersion").asText()).isEqualTo("12.4");
        assertThat(doc.get("gpus")).hasSize(8);
        JsonNode g = doc.get("gpus").get(7);
        assertThat(g.get("index").asInt()).isEqualTo(7);
        assertThat(g.get("name").asText()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(g.get("pciBusId").asText()).isEqualTo("00000000:DB:00.0");
        assertThat(g.get("pciDeviceId").asText()).isEqualTo("0x233010de");
        assertThat(g.get("memoryTotalMiB").asLong()).isEqualTo(81559);
        assertThat(g.get("computeCapability").asText()).isEqualTo("9.0");
        assertThat(g.get("architecture").asText()).isEqualTo("hopper");
        assertThat(g.get("family").asText()).isEqualTo("hopper");
        assertThat(g.get("migMode").asText()).isEqualTo("disabled");
        assertThat(g.get("nvLinkPeers")).hasSize(7);
        assertThat(g.get("readings").get("temperatureCelsius").asInt()).isEqualTo(39);
        assertThat(g.get("readings").get("memory").get("usedBytes").asLong()).isEqualTo(7168L << 20);
    }

    @Test
    void yamlSaysTheSameAsJson() throws Exception {
        JsonNode json = new ObjectMapper().readTree(CliRun.of("gpus", "--simulate", "a100-mig-mixed", "-o", "json")
            .out());
        CliRun yaml = CliRun.of("gpus", "--simulate", "a100-mig-mixed", "-o", "yaml");
        assertThat(yaml.exitCode()).isZero();
        assertThat(new YAMLMapper().readTree(yaml.out())).isEqualTo(json);
        assertThat(json.get("gpus").get(0).get("migDevices").findValuesAsText("profile"))
            .containsExactly("3g.20gb", "2g.10gb", "1g.5gb", "1g.5gb");
    }

    @Test
    void tableShowsOneLinePerGpuAndMigDevice() {
        CliRun run = CliRun.of("gpus", "--simulate", "a100-mig-mixed");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Driver 535.183.01, CUDA 12.2, 1 GPU", "NVIDIA A100-SXM4-40GB", "40960 MiB",
            "enabled");
        assertThat(run.out().lines().filter(l -> l.startsWith("  MIG ")).count()).isEqualTo(4);
        CliRun laptop = CliRun.of("gpus", "--simulate", "mx150-laptop");
        assertThat(laptop.out()).contains("NVIDIA GeForce MX150", "2048 MiB", "pascal", "n/a");
    }

    @Test
    void withoutADriverItSaysWhatWasSearchedAndWhatTheHostShows(@TempDir Path empty) {
        CliRun run = CliRun.of("gpus", "--driver-root", empty.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_DRIVER);
        assertThat(run.err()).contains("libnvidia-ml.so.1 was not found", empty.toString(), "(override)", "Host: ",
            "nvidia module:");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anUnknownFixtureIsAUsageError() {
        CliRun run = CliRun.of("gpus", "--simulate", "no-such-host");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("no fixture 'no-such-host'").doesNotContain("\tat ");
    }

    @Test
    void helpDocumentsTheExitCodes() {
        CliRun run = CliRun.of("gpus", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Exit codes:", "no NVIDIA driver library", "a driver call failed");
        assertThat(CliRun.of("--help").out()).contains("gpus", "validate", "Exit codes:");
    }
}
