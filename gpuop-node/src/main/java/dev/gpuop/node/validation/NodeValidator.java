package dev.gpuop.node.validation;

import dev.gpuop.node.toolkit.ContainerdView;
import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The stages in NVIDIA's order over what the node agent sees: the GPUs it opened (or why it could not), the running
 * containerd's own view of its config, the kubelet's allocatable devices, and the CUDA vector add, which runs only
 * when what it depends on changed.
 */
public final class NodeValidator {

    /**
     * What one round looks at.
     *
     * @param host the opened GPUs, or null when the driver could not be read
     * @param hostError why the GPUs could not be read (when {@code host} is null)
     * @param simulated whether the GPUs are simulated (no CUDA can run on them)
     * @param containerd asks the running containerd
     * @param toolkit what the toolkit stage expects
     * @param plugin the device plugin's side
     * @param kubelet asks the kubelet for its allocatable devices
     * @param cuda whether the CUDA stage runs ({@code validator.cuda.env WITH_WORKLOAD=false} turns it off)
     * @param workload the plugin stage's workload pod, or null when it is off
     */
    public record Inputs(GpuHost host, String hostError, boolean simulated, Supplier<ContainerdView> containerd,
                         ToolkitStage.Expected toolkit, PluginStage.Plugin plugin,
                         Supplier<KubeletAllocatable> kubelet, boolean cuda, WorkloadCheck workload) {

        /** The same without a workload pod. */
        public Inputs(GpuHost host, String hostError, boolean simulated, Supplier<ContainerdView> containerd,
                      ToolkitStage.Expected toolkit, PluginStage.Plugin plugin, Supplier<KubeletAllocatable> kubelet,
                      boolean cuda) {
            this(host, hostError, simulated, containerd, toolkit, plugin, kubelet, cuda, null);
        }
    }

    private NodeValidator() {
    }

    /**
     * One round of every stage.
     *
     * @param force run the CUDA check even when nothing it depends on changed (on demand)
     */
    public static List<StageResult> validate(Inputs in, CudaStage cudaStage, boolean force) {
        List<StageResult> out = new ArrayList<>();
        StageResult driver = driver(in.host(), in.hostError());
        out.add(driver);
        StageResult toolkit = ToolkitStage.check(in.containerd().get(), in.toolkit(), in.host());
        out.add(toolkit);
        out.add(cuda(in, driver, toolkit, cudaStage, force));
        StageResult plugin = PluginStage.check(in.plugin(), in.plugin().enabled() && in.plugin().registered()
            ? in.kubelet().get() : new KubeletAllocatable(java.util.Map.of(), "not asked"));
        out.add(workload(in, plugin, toolkit));
        return out;
    }

    /** A plugin stage that passed is then proven by the workload pod, where it is on. */
    static StageResult workload(Inputs in, StageResult plugin, StageResult toolkit) {
        if (in.workload() == null || plugin.outcome() != StageResult.Outcome.PASSED) {
            return plugin;
        }
        List<Object> fingerprint = List.of(in.host() == null ? "" : in.host().driverVersion(), in.host() == null
            ? List.of() : in.host().gpus().stream().map(g -> g.info().uuid()).toList(), toolkit.outcome(),
            in.plugin().offered());
        StageResult pod = in.workload().check(fingerprint);
        return pod.ready() ? StageResult.passed(ValidationStage.PLUGIN, plugin.reason() + "; " + pod.reason()) : pod;
    }

    static StageResult cuda(Inputs in, StageResult driver, StageResult toolkit, CudaStage stage, boolean force) {
        if (!in.cuda()) {
            return StageResult.skipped(ValidationStage.CUDA, "turned off by validator.cuda.env WITH_WORKLOAD=false");
        }
        if (in.simulated()) {
            return StageResult.skipped(ValidationStage.CUDA, "simulated GPUs: no CUDA can run on them");
        }
        if (!driver.ready()) {
            return StageResult.failed(ValidationStage.CUDA, "waits for the driver stage");
        }
        int expected = (int) in.host().gpus().stream().filter(g -> !g.info().migEnabled()).count();
        List<Object> fingerprint = List.of(in.host().driverVersion(), in.host().gpus().stream()
            .map(g -> g.info().uuid()).toList(), toolkit.outcome());
        return stage.check(fingerprint, expected, force);
    }

    /** {@code passed}, or the first failed stage and why; empty before the first round. */
    public static String verdict(List<StageResult> results) {
        if (results.isEmpty()) {
            return "";
        }
        return results.stream().filter(r -> !r.ready()).findFirst()
            .map(r -> r.stage().id() + ": " + r.reason()).orElse("passed");
    }

    static StageResult driver(GpuHost host, String hostError) {
        if (host == null) {
            return StageResult.failed(ValidationStage.DRIVER, hostError == null ? "no GPUs read" : hostError);
        }
        if (host.gpus().isEmpty()) {
            return StageResult.failed(ValidationStage.DRIVER, "the driver " + host.driverVersion() + " sees no GPU");
        }
        for (Gpu g : host.gpus()) {
            try {
                g.memory();
            } catch (GpuException e) {
                return StageResult.failed(ValidationStage.DRIVER, g.info().uuid() + " does not answer: "
                    + e.getMessage());
            }
        }
        return StageResult.passed(ValidationStage.DRIVER, "driver " + host.driverVersion() + ", "
            + host.gpus().size() + " GPU(s) answer");
    }
}
