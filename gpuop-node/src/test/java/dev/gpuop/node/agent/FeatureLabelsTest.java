package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GFD's keys from the simulated fixtures, whose facts are NVIDIA's published ones for those GPUs. */
class FeatureLabelsTest {

    @Test
    void anHgxH100GetsGfdsKeys() throws Exception {
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x")) {
            Map<String, String> l = FeatureLabels.of(host);
            assertThat(l).containsEntry("nvidia.com/gpu.count", "8").containsEntry("nvidia.com/gpu.family", "hopper")
                .containsEntry("nvidia.com/gpu.compute.major", "9").containsEntry("nvidia.com/gpu.compute.minor", "0")
                .containsEntry("nvidia.com/mig.capable", "true").containsKeys("nvidia.com/gpu.memory",
                    "nvidia.com/cuda.driver.major", "nvidia.com/cuda.driver.minor", "nvidia.com/cuda.runtime.major");
            assertThat(l.get("nvidia.com/gpu.product")).startsWith("NVIDIA-H100").doesNotContain(" ");
            assertThat(host.driverVersion()).startsWith(l.get("nvidia.com/cuda.driver.major") + ".");
        }
    }

    @Test
    void theSeedsLaptopGpuIsNotMigCapable() throws Exception {
        try (GpuHost host = SimulatedGpuHost.open("mx150-laptop")) {
            Map<String, String> l = FeatureLabels.of(host);
            assertThat(l).containsEntry("nvidia.com/gpu.count", "1").containsEntry("nvidia.com/mig.capable", "false")
                .containsEntry("nvidia.com/gpu.product", "NVIDIA-GeForce-MX150");
        }
    }

    @Test
    void valuesFollowKubernetesLabelRules() {
        assertThat(FeatureLabels.value("NVIDIA H100 80GB HBM3")).isEqualTo("NVIDIA-H100-80GB-HBM3");
        assertThat(FeatureLabels.value(" (Tesla) T4 ")).isEqualTo("Tesla-T4");
        assertThat(FeatureLabels.value("x".repeat(80))).hasSize(63);
    }
}
