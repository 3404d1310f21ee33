package dev.gpuop.cli;

import dev.gpuop.node.cdi.CdiSpec;
import dev.gpuop.node.cdi.CdiSpecWriter;
import dev.gpuop.node.toolkit.ContainerdSetup;
import dev.gpuop.node.toolkit.FileChange;
import dev.gpuop.node.toolkit.ToolkitResult;
import dev.gpuop.node.toolkit.ToolkitSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gpuop toolkit install}: the NVIDIA handlers in containerd's config, and the CDI spec. */
@Command(name = "install", mixinStandardHelpOptions = true,
    description = "Add the nvidia (and nvidia-cdi) runtime handlers to containerd, turn CDI on where containerd "
        + "needs it, write the CDI spec, check the result with containerd and restart it; put the previous config "
        + "back if containerd does not come back. A second run changes nothing.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.USAGE_LINE,
        ExitCodes.DRIVER_ERROR_LINE, ExitCodes.CONFIG_REFUSED_LINE, ExitCodes.CONTAINERD_DOWN_LINE})
final class ToolkitInstallCommand implements Callable<Integer> {

    @Mixin
    ContainerdOptions containerd;

    @Mixin
    ToolkitRunOptions run;

    @Mixin
    CdiOptionsMixin cdi;

    @Mixin
    ToolkitSettingsOptions wanted;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ContainerdSetup setup = containerd.detect();
        ToolkitSettings settings = wanted.settings(containerd.hostRoot);
        List<FileChange> extra = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (settings.cdiEnabled()) {
            if (cdi.driverPresent()) {
                CdiSpec cdiSpec = cdi.generate();
                Path file = Path.of(settings.cdiDir()).resolve(cdiSpec.fileBaseName() + ".json");
                String before = Files.exists(file) ? Files.readString(file) : null;
                extra.add(new FileChange(file, before, CdiSpecWriter.json(cdiSpec)));
            } else {
                notes.add("no NVIDIA driver loaded here (" + cdi.procRoot + "/driver/nvidia/version): no CDI spec "
                    + "written; run install again once the driver is up");
            }
        }
        ToolkitResult result = run.installer(setup).install(settings, extra);
        ToolkitRunOptions.report("install", setup, result, spec.commandLine().getOut());
        notes.forEach(n -> spec.commandLine().getOut().println("note: " + n));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
