package dev.gpuop.cli;

import dev.gpuop.node.toolkit.ContainerdSetup;
import dev.gpuop.node.toolkit.CriSummary;
import dev.gpuop.node.toolkit.ToolkitPlan;
import dev.gpuop.node.toolkit.ToolkitPlanner;
import dev.gpuop.node.toolkit.ToolkitSettings;
import dev.gpuop.node.toolkit.ToolkitState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gpuop toolkit status}: what is installed, and what containerd has actually loaded. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the containerd found, whether install's handlers are in its config and up to date, and "
        + "the runtime handlers and CDI settings containerd reports over CRI. Exit 0 when installed and up to date.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE,
        "1:not installed, or the config differs from what install would write", ExitCodes.USAGE_LINE,
        ExitCodes.CONFIG_REFUSED_LINE})
final class ToolkitStatusCommand implements Callable<Integer> {

    @Mixin
    ContainerdOptions containerd;

    @Mixin
    ToolkitSettingsOptions wanted;

    /** Its state dir is read; its restart flags are accepted so one command line serves all three commands. */
    @Mixin
    ToolkitRunOptions run;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ContainerdSetup setup = containerd.detect();
        ToolkitSettings settings = wanted.settings(containerd.hostRoot);
        out.println("distribution: " + setup.distribution().id());
        out.println("config:       " + setup.config() + (Files.exists(setup.config()) ? "" : " (absent)"));
        if (setup.template() != null) {
            out.println("template:     " + setup.template() + (Files.exists(setup.template()) ? "" : " (absent)"));
        }
        out.println("containerd:   " + (setup.binary() == null ? "no binary found"
            : setup.binary() + " " + setup.binaryVersion()));
        ToolkitPlan plan = ToolkitPlanner.install(setup, settings);
        ToolkitState state = ToolkitState.read(run.stateDir);
        boolean recorded = !state.isEmpty();
        out.println("strategy:     " + plan.strategy().name().toLowerCase().replace('_', '-'));
        out.println("installed:    " + (recorded ? "yes" : "no") + (plan.isNoop() ? ", config up to date"
            : ", install would change " + plan.changes().stream().map(c -> c.path().toString()).toList()));
        Path cdiSpec = Path.of(settings.cdiDir()).resolve("nvidia.com-gpu.json");
        out.println("cdi spec:     " + cdiSpec + (Files.exists(cdiSpec) ? "" : " (absent)"));
        out.println("socket:       " + setup.socket() + ": " + CriSummary.of(setup.socket()));
        plan.notes().forEach(n -> out.println("note: " + n));
        out.flush();
        return recorded && plan.isNoop() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
