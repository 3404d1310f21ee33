package dev.gpuop.gpu.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuFixturesTest {

    @Test
    void everyShippedFixtureLoadsAndHasAGpu() {
        for (String name : GpuFixtures.SHIPPED) {
            GpuFixture f = GpuFixtures.load(name);
            assertThat(f.gpus()).as(name).isNotEmpty();
            assertThat(f.description()).as(name).isNotBlank();
            assertThat(f.faults()).as(name).isEqualTo(Faults.NONE);
        }
    }

    @Test
    void anUnknownNameListsTheShippedOnes() {
        assertThatThrownBy(() -> GpuFixtures.load("h300"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no fixture 'h300'")
            .hasMessageContaining("mx150-laptop, h100-sxm-8x, a100-mig-mixed, h200");
    }

    @Test
    void aTypoInAFixtureIsRefusedNamingTheField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("typo.json");
        Files.writeString(file, "{\"driverVersion\": \"1\", \"cudaDriverVersion\": 1, \"gpuz\": []}");
        assertThatThrownBy(() -> GpuFixtures.load(file.toString()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("typo.json")
            .hasMessageContaining("gpuz");
    }
}
