package dev.gpuop.node.validation;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The stages as one pure decision over what the node agent already knows: the GPUs it opened (or why it could not),
 * the CDI spec's text, whether the kubelet took its resources. The CUDA stage is not run in the agent yet: it is
 * reported as not run, and its file written, as NVIDIA's validator does when its workload check is off.
 */
public final class NodeValidator {

    private NodeValidator() {
    }

    /**
     * The verdicts, in NVIDIA's order.
     *
     * @param host the opened GPUs, or null when the driver could not be read
     * @param hostError why the GPUs could not be read (when {@code host} is null)
     * @param cdiSpec the CDI spec's text where gpuop's toolkit gives GPUs by CDI, else null (NVIDIA's runtime does)
     * @param pluginRegistered whether the kubelet took the device plugin's resources, and if not, why
     */
    public static List<StageResult> validate(GpuHost host, String hostError, Supplier<String> cdiSpec,
                                             PluginState pluginRegistered) {
        List<StageResult> out = new ArrayList<>();
        out.add(driver(host, hostError));
        out.add(toolkit(host, cdiSpec));
        out.add(StageResult.skipped(ValidationStage.CUDA, "the CUDA vector add does not run in the node agent yet; "
            + "`gpuop validate cuda` runs it on the host"));
        if (!pluginRegistered.enabled()) {
            out.add(StageResult.skipped(ValidationStage.PLUGIN, "the device plugin is off"));
        } else {
            out.add(pluginRegistered.registered()
                ? StageResult.passed(ValidationStage.PLUGIN, "the kubelet took " + pluginRegistered.detail())
                : StageResult.failed(ValidationStage.PLUGIN, pluginRegistered.detail()));
        }
        return out;
    }

    /** {@code passed}, or the first failed stage and why; empty before the first round. */
    public static String verdict(List<StageResult> results) {
        if (results.isEmpty()) {
            return "";
        }
        return results.stream().filter(r -> !r.ready()).findFirst()
            .map(r -> r.stage().id() + ": " + r.reason()).orElse("passed");
    }

    /**
     * The device plugin's registration with the kubelet.
     *
     * @param enabled whether the agent runs its device plugin
     * @param registered whether the kubelet took its resources
     * @param detail the resources taken, or why not
     */
    public record PluginState(boolean enabled, boolean registered, String detail) {
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

    static StageResult toolkit(GpuHost host, Supplier<String> cdiSpec) {
        if (cdiSpec == null) {
            return StageResult.skipped(ValidationStage.TOOLKIT, "gpuop's toolkit is off: NVIDIA's runtime on the "
                + "host gives containers their GPUs");
        }
        String spec = cdiSpec.get();
        if (spec == null) {
            return StageResult.failed(ValidationStage.TOOLKIT, "no CDI spec written yet");
        }
        if (host == null) {
            return StageResult.failed(ValidationStage.TOOLKIT, "the GPUs cannot be read, so the CDI spec cannot be "
                + "checked against them");
        }
        List<String> missing = host.gpus().stream().map(g -> g.info().uuid()).filter(u -> !spec.contains(
            "\"" + u + "\"")).toList();
        return missing.isEmpty()
            ? StageResult.passed(ValidationStage.TOOLKIT, "the CDI spec names all " + host.gpus().size() + " GPU(s)")
            : StageResult.failed(ValidationStage.TOOLKIT, "the CDI spec does not name " + missing);
    }
}
