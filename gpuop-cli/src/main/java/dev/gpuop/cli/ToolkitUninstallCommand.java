package dev.gpuop.cli;

import dev.gpuop.node.toolkit.ContainerdSetup;
import dev.gpuop.node.toolkit.ToolkitResult;
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
        ContainerdSetup setup = containerd.detect();
        ToolkitResult result = run.installer(setup).uninstall();
        ToolkitRunOptions.report("uninstall", setup, result, spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
