package dev.gpuop.node.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.Faults;
import dev.gpuop.gpu.sim.GpuFixture;
import dev.gpuop.gpu.sim.GpuFixtures;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.validation.StageResult.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node checks over simulated GPUs, and the status files they keep, with NVIDIA's names. */
class NodeValidatorTest {

    private static final NodeValidator.PluginState REGISTERED =
        new NodeValidator.PluginState(true, true, "[nvidia.com/gpu=8]");

    @TempDir
    Path dir;

    private static List<Outcome> outcomes(List<StageResult> r) {
        return r.stream().map(StageResult::outcome).toList();
    }

    @Test
    void aHealthyNodeWithTheCdiSpecNamingEveryGpuPassesEveryStageItRuns() {
        try (GpuHost host = SimulatedGpuHost.open(GpuFixtures.load("h100-sxm-8x"), Clock.systemUTC())) {
            String spec = host.gpus().stream().map(g -> "\"" + g.info().uuid() + "\"").toList().toString();
            List<StageResult> r = NodeValidator.validate(host, null, () -> spec, REGISTERED);
            assertThat(r).extracting(StageResult::stage).containsExactly(ValidationStage.values());
            assertThat(outcomes(r)).containsExactly(Outcome.PASSED, Outcome.PASSED, Outcome.SKIPPED, Outcome.PASSED);
            assertThat(NodeValidator.verdict(r)).isEqualTo("passed");
            // a spec missing one GPU, or none at all
            String partial = spec.replace("\"" + host.gpus().get(5).info().uuid() + "\"", "");
            assertThat(NodeValidator.validate(host, null, () -> partial, REGISTERED).get(1)).satisfies(t -> {
                assertThat(t.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(t.reason()).contains(host.gpus().get(5).info().uuid());
            });
            assertThat(NodeValidator.validate(host, null, () -> null, REGISTERED).get(1).reason())
                .contains("no CDI spec");
            // NVIDIA's runtime on the host (toolkit off): not checked here, file written
            assertThat(NodeValidator.validate(host, null, null, REGISTERED).get(1).outcome())
                .isEqualTo(Outcome.SKIPPED);
        }
    }

    @Test
    void noDriverOrAGpuOffTheBusFailsTheDriverStageAndAnUnregisteredPluginThePluginStage() {
        List<StageResult> none = NodeValidator.validate(null, "libnvidia-ml.so.1 was not found", null,
            new NodeValidator.PluginState(true, false, "not registered with the kubelet yet"));
        assertThat(outcomes(none)).containsExactly(Outcome.FAILED, Outcome.SKIPPED, Outcome.SKIPPED, Outcome.FAILED);
        assertThat(none.getFirst().reason()).contains("libnvidia-ml.so.1");
        assertThat(NodeValidator.verdict(none)).isEqualTo("driver: libnvidia-ml.so.1 was not found");
        assertThat(NodeValidator.verdict(List.of())).isEmpty();
        GpuFixture lost = GpuFixtures.load("h100-sxm-8x").withFaults(new Faults(null, false, null,
            List.of(new Faults.BusFault(3, 0))));
        try (GpuHost host = SimulatedGpuHost.open(lost, Clock.systemUTC())) {
            StageResult driver = NodeValidator.validate(host, null, null, REGISTERED).getFirst();
            assertThat(driver.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(driver.reason()).contains(host.gpus().get(3).info().uuid()).contains("GPU_IS_LOST");
        }
        assertThat(NodeValidator.validate(null, "x", null, new NodeValidator.PluginState(false, false, "off"))
            .get(3).outcome()).as("plugin off").isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void aStagesFileExistsExactlyWhileItPassesAndDriverReadyIsNvidiasEnvFile() throws Exception {
        ValidationFiles files = new ValidationFiles(dir.resolve("validations"));
        List<StageResult> good = List.of(StageResult.passed(ValidationStage.DRIVER, "ok"),
            StageResult.skipped(ValidationStage.TOOLKIT, "host runtime"),
            StageResult.skipped(ValidationStage.CUDA, "not here"),
            StageResult.passed(ValidationStage.PLUGIN, "ok"));
        assertThat(files.apply(good, "/")).hasSize(4);
        Path v = dir.resolve("validations");
        try (var names = Files.list(v)) {
            assertThat(names.map(p -> p.getFileName().toString()).toList())
                .containsExactlyInAnyOrder("driver-ready", "toolkit-ready", "cuda-ready", "plugin-ready");
        }
        assertThat(Files.readString(v.resolve("driver-ready"))).isEqualTo("IS_HOST_DRIVER=true\n"
            + "NVIDIA_DRIVER_ROOT=/\nDRIVER_ROOT_CTR_PATH=/host\nNVIDIA_DEV_ROOT=/\nDEV_ROOT_CTR_PATH=/host\n");
        assertThat(files.apply(good, "/")).as("nothing changed, nothing written").isEmpty();
        List<StageResult> pluginGone = List.of(good.get(0), good.get(1), good.get(2),
            StageResult.failed(ValidationStage.PLUGIN, "kubelet restarted"));
        assertThat(files.apply(pluginGone, "/run/nvidia/driver")).containsExactlyInAnyOrder(
            v.resolve("plugin-ready"), v.resolve("driver-ready"));
        assertThat(v.resolve("plugin-ready")).doesNotExist();
        assertThat(Files.readString(v.resolve("driver-ready"))).startsWith("IS_HOST_DRIVER=false\n"
            + "NVIDIA_DRIVER_ROOT=/run/nvidia/driver\nDRIVER_ROOT_CTR_PATH=/driver-root\n");
    }
}
