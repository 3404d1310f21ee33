package dev.gpuop.cli;

import dev.gpuop.node.toolkit.ContainerdSetup;
import dev.gpuop.node.toolkit.ToolkitResult;
import dev.gpuop.node.toolkit.ToolkitState;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gpuop toolkit uninstall}: every file install changed back to what it was, and nothing else. */
@Command(name = "uninstall", mixinStandardHelpOptions = true,
    description = "Restore every file install changed to its content before install (a file changed since by "
        + "someone else is refused and left alone), then restart containerd.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.USAGE_LINE,
        ExitCodes.CONFIG_REFUSED_LINE, ExitCodes.CONTAINERD_DOWN_LINE})
final class ToolkitUninstallCommand implements Callable<Integer> {

    @Mixin
    ContainerdOptions containerd;

    @Mixin
    ToolkitRunOptions run;

    /** Accepted so that one command line serves install, uninstall and status; uninstall restores from the state. */
    @Mixin
    ToolkitSettingsOptions wanted;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (ToolkitState.read(run.stateDir).isEmpty()) {
            // the node agent's init step runs this on every node while the toolkit is off: a node gpuop never
            // touched (the seed's, with NVIDIA's own toolkit) must not even need a containerd config gpuop can find
            spec.commandLine().getOut().println("uninstall: nothing recorded in " + run.stateDir.resolve(
                ToolkitState.FILE) + "; nothing to restore");
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        ContainerdSetup setup = containerd.detect();
        ToolkitResult result = run.installer(setup).uninstall();
        ToolkitRunOptions.report("uninstall", setup, result, spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
