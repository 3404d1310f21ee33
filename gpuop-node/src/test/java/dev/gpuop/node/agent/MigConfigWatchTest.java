package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.sim.GpuFixtures;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node label flow of the MIG manager on a simulated HGX H100, with the node's writes recorded. */
class MigConfigWatchTest {

    private static final String CONFIG = """
        version: v1
        mig-configs:
          all-disabled:
            - devices: all
              mig-enabled: false
          all-1g.10gb:
            - devices: all
              mig-enabled: true
              mig-devices:
                "1g.10gb": 7
          all-3g.71gb:
            - devices: all
              mig-enabled: true
              mig-devices:
                "3g.71gb": 2
        """;

    @TempDir
    Path dir;

    private final List<String> events = new ArrayList<>();
    private SimulatedGpuHost host;

    private MigConfigWatch watch() throws Exception {
        host = SimulatedGpuHost.open(GpuFixtures.load("h100-sxm-8x"), Clock.systemUTC());
        Path file = Files.writeString(dir.resolve("config.yaml"), CONFIG);
        MigConfigWatch.Agent agent = new MigConfigWatch.Agent() {
            @Override
            public List<Gpu> pause() {
                events.add("pause");
                return host.gpus();
            }

            @Override
            public void resume() {
                events.add("resume");
                host = host.reopen();
            }
        };
        return new MigConfigWatch(file, agent, (state, reason) -> events.add(state + (reason.isEmpty() ? ""
            : ": " + reason)));
    }

    private static Map<String, String> labels(String layout, String state) {
        return state == null ? Map.of(MigConfigWatch.CONFIG_LABEL, layout)
            : Map.of(MigConfigWatch.CONFIG_LABEL, layout, MigConfigWatch.STATE_LABEL, state);
    }

    @Test
    void aLabelledLayoutIsAppliedWithTheDevicePluginPausedAndTheStateFollowsIt() throws Exception {
        MigConfigWatch watch = watch();
        watch.onLabels(labels("all-1g.10gb", null), host.gpus());
        assertThat(events).containsExactly("pending", "pause", "resume", "success");
        assertThat(host.gpus()).allSatisfy(g -> assertThat(g.info().migDevices()).hasSize(7)
            .extracting(MigDevice::profile).containsOnly("1g.10gb"));
        // the agent's own state write comes back as a label event: nothing more happens
        events.clear();
        watch.onLabels(labels("all-1g.10gb", "success"), host.gpus());
        assertThat(events).isEmpty();
        assertThat(watch.problem()).isNull();
    }

    @Test
    void aLayoutTheGpusCannotTakeIsRefusedBeforeThePluginIsTouched() throws Exception {
        MigConfigWatch watch = watch();
        List<GpuInfo> before = host.gpus().stream().map(Gpu::info).toList();
        watch.onLabels(labels("all-3g.71gb", null), host.gpus());
        assertThat(events).hasSize(1);
        assertThat(events.getFirst()).startsWith("failed: nvidia.com/mig.config=all-3g.71gb refused")
            .contains("mig-configs.all-3g.71gb[0].mig-devices.3g.71gb", "offers no MIG profile 3g.71gb");
        assertThat(watch.problem()).isEqualTo(events.getFirst().substring("failed: ".length()));
        assertThat(host.gpus().stream().map(Gpu::info).toList()).isEqualTo(before);
    }

    @Test
    void aGpuClientFailsTheChangeAndRemovingTheStateLabelTriesAgain() throws Exception {
        MigConfigWatch watch = watch();
        host.simulateProcesses(2, 1);
        watch.onLabels(labels("all-1g.10gb", null), host.gpus());
        assertThat(events).containsExactly("pending", "pause", "resume",
            "failed: nvidia.com/mig.config=all-1g.10gb: GPU 2 runs 1 GPU process; MIG layouts kept, nothing changed "
                + "(stop them, then remove the node label nvidia.com/mig.config.state to try again)");
        assertThat(host.gpus()).allSatisfy(g -> assertThat(g.info().migDevices()).isEmpty());
        events.clear();
        watch.onLabels(labels("all-1g.10gb", "failed"), host.gpus());
        assertThat(events).as("the same failed layout is not retried on every label event").isEmpty();
        host.simulateProcesses(2, 0);
        watch.onLabels(labels("all-1g.10gb", null), host.gpus());
        assertThat(events).containsExactly("pending", "pause", "resume", "success");
        assertThat(watch.problem()).isNull();
    }

    @Test
    void anAgentThatStartsOnTheLayoutItsNodeAsksForWritesNothing() throws Exception {
        MigConfigWatch first = watch();
        first.onLabels(labels("all-1g.10gb", null), host.gpus());
        events.clear();
        Path file = dir.resolve("config.yaml");
        MigConfigWatch.Agent untouchable = new MigConfigWatch.Agent() {
            @Override
            public List<Gpu> pause() {
                throw new AssertionError("paused for a layout the GPUs have");
            }

            @Override
            public void resume() {
                throw new AssertionError("resumed");
            }
        };
        MigConfigWatch restarted = new MigConfigWatch(file, untouchable, (state, reason) -> events.add(state));
        restarted.onLabels(labels("all-1g.10gb", "success"), host.gpus());
        assertThat(events).isEmpty();
        // a state a crashed agent left behind is put right, without a change
        MigConfigWatch crashed = new MigConfigWatch(file, untouchable, (state, reason) -> events.add(state));
        crashed.onLabels(labels("all-1g.10gb", "pending"), host.gpus());
        assertThat(events).containsExactly("success");
    }
}
