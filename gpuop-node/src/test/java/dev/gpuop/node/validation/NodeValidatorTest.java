package dev.gpuop.node.validation;

import dev.gpuop.node.toolkit.ContainerdView;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node checks over simulated GPUs, and the status files they keep, with NVIDIA's names. */
class NodeValidatorTest {

    private static final Path SOCK = Path.of("/run/containerd/containerd.sock");
    private static final ContainerdView WITH_NVIDIA = new ContainerdView(SOCK, "v2.1.4", List.of("runc", "nvidia"),
        true, List.of("/etc/cdi", "/var/run/cdi"), null);
    private static final PluginStage.Plugin REGISTERED = new PluginStage.Plugin(true, true,
        Map.of("nvidia.com/gpu", 8), null);
    private static final KubeletAllocatable KUBELET_HAS_8 = new KubeletAllocatable(Map.of("nvidia.com/gpu", 8,
        "example.com/nic", 2), null);

    @TempDir
    Path dir;

    private static List<Outcome> outcomes(List<StageResult> r) {
        return r.stream().map(StageResult::outcome).toList();
    }

    private static NodeValidator.Inputs inputs(GpuHost host, ContainerdView view, String spec, boolean simulated) {
        return new NodeValidator.Inputs(host, host == null ? "libnvidia-ml.so.1 was not found" : null, simulated,
            () -> view, new ToolkitStage.Expected("nvidia", "/var/run/cdi", spec), REGISTERED, () -> KUBELET_HAS_8,
            true);
    }

    private static String specNaming(GpuHost host) {
        return host.gpus().stream().map(g -> "\"" + g.info().uuid() + "\"").toList().toString();
    }

    @Test
    void aHealthyNodeWithTheCdiSpecNamingEveryGpuPassesEveryStageAndCudaRunsOnlyWhenSomethingChanged() {
        AtomicInteger runs = new AtomicInteger();
        CudaStage cuda = new CudaStage(() -> {
            runs.incrementAndGet();
            return new CudaStage.Output(0, List.of("devices 8", "cuda 0 passed NVIDIA H100 80GB HBM3",
                "cuda 1 passed a", "cuda 2 passed a", "cuda 3 passed a", "cuda 4 passed a", "cuda 5 passed a",
                "cuda 6 passed a", "cuda 7 passed a"));
        });
        try (GpuHost host = SimulatedGpuHost.open(GpuFixtures.load("h100-sxm-8x"), Clock.systemUTC())) {
            NodeValidator.Inputs in = inputs(host, WITH_NVIDIA, specNaming(host), false);
            List<StageResult> r = NodeValidator.validate(in, cuda, false);
            assertThat(r).extracting(StageResult::stage).containsExactly(ValidationStage.values());
            assertThat(outcomes(r)).as(r.toString()).containsOnly(Outcome.PASSED);
            assertThat(NodeValidator.verdict(r)).isEqualTo("passed");
            assertThat(r.get(2).reason()).isEqualTo("vector add passed on 8 GPU(s)");
            assertThat(r.get(3).reason()).contains("nvidia.com/gpu=8").doesNotContain("example.com/nic");
            NodeValidator.validate(in, cuda, false);
            assertThat(runs).as("nothing changed: no second vector add").hasValue(1);
            NodeValidator.validate(in, cuda, true);
            assertThat(runs).as("on demand").hasValue(2);
            // the toolkit's verdict is part of what the CUDA run depends on
            NodeValidator.validate(inputs(host, WITH_NVIDIA, null, false), cuda, false);
            assertThat(runs).as("the toolkit changed").hasValue(3);
        }
    }

    @Test
    void theRunStartedWithTheAgentIsTheFirstChecksAndOnlyAChangeRunsAgain() {
        AtomicInteger runs = new AtomicInteger();
        CudaStage cuda = new CudaStage(() -> new CudaStage.Output(0, List.of("devices 1",
            "cuda 0 passed run " + runs.incrementAndGet())));
        cuda.startEarly();
        cuda.startEarly();
        assertThat(cuda.check("driver 580", 1, false).reason()).isEqualTo("vector add passed on 1 GPU(s)");
        assertThat(runs).as("one early run, used by the first check").hasValue(1);
        cuda.check("driver 580", 1, false);
        assertThat(runs).hasValue(1);
        cuda.check("driver 590", 1, false);
        assertThat(runs).as("the driver changed").hasValue(2);
        cuda.startEarly();
        cuda.check("driver 590", 1, false);
        assertThat(runs).as("an early start after the first check does nothing").hasValue(2);
    }

    @Test
    void theToolkitStageLooksAtWhatContainerdLoadedAndAtTheCdiSpec() {
        CudaStage cuda = new CudaStage(() -> new CudaStage.Output(0, List.of("devices 0")));
        try (GpuHost host = SimulatedGpuHost.open(GpuFixtures.load("h100-sxm-8x"), Clock.systemUTC())) {
            String spec = specNaming(host);
            ContainerdView noHandler = new ContainerdView(SOCK, "v2.1.4", List.of("runc"), true, List.of(), null);
            StageResult t = NodeValidator.validate(inputs(host, noHandler, spec, true), cuda, false).get(1);
            assertThat(t.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(t.reason()).contains("no runtime handler 'nvidia'").contains("[runc]");
            ContainerdView noCdi = new ContainerdView(SOCK, "v1.7.27", List.of("nvidia"), false, List.of(), null);
            assertThat(NodeValidator.validate(inputs(host, noCdi, spec, true), cuda, false).get(1).reason())
                .contains("enable_cdi = false");
            ContainerdView otherDir = new ContainerdView(SOCK, "v2.1.4", List.of("nvidia"), true,
                List.of("/etc/cdi"), null);
            assertThat(NodeValidator.validate(inputs(host, otherDir, spec, true), cuda, false).get(1).reason())
                .contains("not from /var/run/cdi");
            String partial = spec.replace("\"" + host.gpus().get(5).info().uuid() + "\"", "");
            assertThat(NodeValidator.validate(inputs(host, WITH_NVIDIA, partial, true), cuda, false).get(1).reason())
                .contains("does not name").contains(host.gpus().get(5).info().uuid());
            ContainerdView down = ContainerdView.failed(SOCK, "containerd does not answer on " + SOCK);
            assertThat(NodeValidator.verdict(NodeValidator.validate(inputs(host, down, spec, true), cuda, false)))
                .isEqualTo("toolkit: containerd does not answer on " + SOCK);
            // NVIDIA's runtime on the host (gpuop's toolkit off): the handler is all there is to see
            NodeValidator.Inputs hostRuntime = new NodeValidator.Inputs(host, null, true, () -> noCdi,
                new ToolkitStage.Expected("nvidia", null, null), REGISTERED, () -> KUBELET_HAS_8, true);
            assertThat(NodeValidator.validate(hostRuntime, cuda, false).get(1).outcome()).isEqualTo(Outcome.PASSED);
        }
    }

    @Test
    void cudaFailuresNameTheGpuAndSimulatedOrTurnedOffCudaIsNotRun() {
        CudaStage oneBad = new CudaStage(() -> new CudaStage.Output(1, List.of("devices 2", "cuda 0 passed a",
            "cuda 1 failed cuModuleLoadDataEx failed: CUDA_ERROR_JIT_COMPILER_NOT_FOUND (221)")));
        try (GpuHost host = SimulatedGpuHost.open(GpuFixtures.load("h100-sxm-8x"), Clock.systemUTC())) {
            StageResult c = NodeValidator.validate(inputs(host, WITH_NVIDIA, specNaming(host), false), oneBad, false)
                .get(2);
            assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(c.reason())
                .isEqualTo("GPU 1: cuModuleLoadDataEx failed: CUDA_ERROR_JIT_COMPILER_NOT_FOUND (221)");
            CudaStage fewer = new CudaStage(() -> new CudaStage.Output(0, List.of("devices 1", "cuda 0 passed a")));
            assertThat(NodeValidator.validate(inputs(host, WITH_NVIDIA, specNaming(host), false), fewer, false).get(2)
                .reason()).isEqualTo("CUDA sees 1 GPU(s), NVML 8 not in MIG mode");
            CudaStage never = new CudaStage(() -> {
                throw new AssertionError("must not run");
            });
            assertThat(NodeValidator.validate(inputs(host, WITH_NVIDIA, specNaming(host), true), never, false).get(2)
                .outcome()).isEqualTo(Outcome.SKIPPED);
            NodeValidator.Inputs off = new NodeValidator.Inputs(host, null, false, () -> WITH_NVIDIA,
                new ToolkitStage.Expected("nvidia", null, null), REGISTERED, () -> KUBELET_HAS_8, false);
            assertThat(NodeValidator.validate(off, never, false).get(2).reason()).contains("WITH_WORKLOAD=false");
        }
        assertThat(CudaStage.verdict(new CudaStage.Output(3, List.of("error libcuda.so.1 was not found in "
            + "/host/usr/lib64")), 1).reason()).isEqualTo("libcuda.so.1 was not found in /host/usr/lib64");
        assertThat(CudaStage.verdict(new CudaStage.Output(134, List.of("# A fatal error has been detected")), 1)
            .reason()).startsWith("the CUDA check exited 134");
    }

    @Test
    void noDriverOrAGpuOffTheBusFailsTheDriverStageAndTheKubeletsListDecidesThePluginStage() {
        CudaStage never = new CudaStage(() -> {
            throw new AssertionError("must not run without a driver");
        });
        List<StageResult> none = NodeValidator.validate(inputs(null, WITH_NVIDIA, null, false), never, false);
        assertThat(outcomes(none).getFirst()).isEqualTo(Outcome.FAILED);
        assertThat(none.get(2).reason()).isEqualTo("waits for the driver stage");
        assertThat(NodeValidator.verdict(none)).isEqualTo("driver: libnvidia-ml.so.1 was not found");
        assertThat(NodeValidator.verdict(List.of())).isEmpty();
        GpuFixture lost = GpuFixtures.load("h100-sxm-8x").withFaults(new Faults(null, false, null,
            List.of(new Faults.BusFault(3, 0))));
        try (GpuHost host = SimulatedGpuHost.open(lost, Clock.systemUTC())) {
            StageResult driver = NodeValidator.driver(host, null);
            assertThat(driver.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(driver.reason()).contains(host.gpus().get(3).info().uuid()).contains("GPU_IS_LOST");
        }
        assertThat(PluginStage.check(new PluginStage.Plugin(false, false, Map.of(), "off"), KUBELET_HAS_8)
            .outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(PluginStage.check(new PluginStage.Plugin(true, false, Map.of(), "not registered yet"),
            KUBELET_HAS_8).reason()).isEqualTo("not registered yet");
        StageResult dropped = PluginStage.check(REGISTERED, new KubeletAllocatable(Map.of(), null));
        assertThat(dropped.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(dropped.reason()).contains("no allocatable [nvidia.com/gpu]");
        assertThat(PluginStage.check(REGISTERED, new KubeletAllocatable(Map.of(), "no kubelet pod-resources socket"))
            .reason()).contains("registration only");
    }

    @Test
    void aStagesFileExistsExactlyWhileItPassesAndDriverReadyIsNvidiasEnvFile() throws Exception {
        ValidationFiles files = new ValidationFiles(dir.resolve("validations"));
        List<StageResult> good = List.of(StageResult.passed(ValidationStage.DRIVER, "ok"),
            StageResult.passed(ValidationStage.TOOLKIT, "handler"),
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
