package dev.gpuop.node.validation;

import dev.gpuop.node.toolkit.ContainerdView;
import dev.gpuop.gpu.GpuHost;
import java.util.List;

/**
 * The toolkit stage: a pod on the runtime class can be given its GPUs. The running containerd has the handler in
 * its loaded config, and where gpuop hands GPUs by CDI, containerd resolves CDI names from the spec's dir and the
 * spec names every GPU. With NVIDIA's runtime on the host (gpuop's toolkit off), the handler is all there is to see.
 */
public final class ToolkitStage {

    /**
     * What the stage looks at.
     *
     * @param handler the runtime class's handler ({@code nvidia})
     * @param cdiSpecDir the CDI spec's dir on the host where gpuop writes a spec, null where it does not
     * @param cdiSpec the spec's text, null when there is none
     */
    public record Expected(String handler, String cdiSpecDir, String cdiSpec) {
    }

    private ToolkitStage() {
    }

    /** {@code /var/run} is a link to {@code /run} on every distribution gpuop supports. */
    static String canonical(String dir) {
        String d = dir.endsWith("/") && dir.length() > 1 ? dir.substring(0, dir.length() - 1) : dir;
        return d.startsWith("/var/run/") ? d.substring("/var".length()) : d;
    }

    /** The verdict. */
    public static StageResult check(ContainerdView view, Expected want, GpuHost host) {
        if (view.error() != null) {
            return StageResult.failed(ValidationStage.TOOLKIT, view.error());
        }
        if (!view.handlers().contains(want.handler())) {
            return StageResult.failed(ValidationStage.TOOLKIT, "containerd " + view.version() + " has no runtime "
                + "handler '" + want.handler() + "' in the config it loaded (it has " + view.handlers() + "): pods "
                + "of runtime class " + want.handler() + " cannot start; gpuop's toolkit adds it (toolkit.enabled="
                + "true), or install NVIDIA's runtime and restart containerd");
        }
        String found = "containerd " + view.version() + " has handler '" + want.handler() + "'";
        if (want.cdiSpecDir() == null) {
            return StageResult.passed(ValidationStage.TOOLKIT, found);
        }
        if (!view.enableCdi()) {
            return StageResult.failed(ValidationStage.TOOLKIT, "containerd " + view.version() + " runs with "
                + "enable_cdi = false: CDI device names from the device plugin are not resolved");
        }
        if (!view.cdiSpecDirs().isEmpty() && view.cdiSpecDirs().stream().map(ToolkitStage::canonical)
            .noneMatch(canonical(want.cdiSpecDir())::equals)) {
            return StageResult.failed(ValidationStage.TOOLKIT, "containerd reads CDI specs from "
                + view.cdiSpecDirs() + ", not from " + want.cdiSpecDir() + " where the spec is");
        }
        if (want.cdiSpec() == null) {
            return StageResult.failed(ValidationStage.TOOLKIT, "no CDI spec in " + want.cdiSpecDir() + " yet");
        }
        if (host == null) {
            return StageResult.failed(ValidationStage.TOOLKIT, "the GPUs cannot be read, so the CDI spec cannot be "
                + "checked against them");
        }
        List<String> missing = host.gpus().stream().map(g -> g.info().uuid())
            .filter(u -> !want.cdiSpec().contains("\"" + u + "\"")).toList();
        return missing.isEmpty()
            ? StageResult.passed(ValidationStage.TOOLKIT, found + "; the CDI spec names all " + host.gpus().size()
                + " GPU(s)")
            : StageResult.failed(ValidationStage.TOOLKIT, "the CDI spec does not name " + missing);
    }
}
