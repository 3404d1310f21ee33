package dev.gpuop.cli;

import dev.gpuop.node.cdi.CdiSpec;
import dev.gpuop.node.cdi.CdiSpecWriter;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpuop toolkit cdi generate}: prints or writes the spec, like {@code nvidia-ctk cdi generate}. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generate the CDI spec of this host's GPUs: devices by index, UUID and MIG device, and all; "
        + "driver libraries, binaries, firmware and IPC sockets mounted without NVIDIA's hooks.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.USAGE_LINE,
        ExitCodes.NO_DRIVER_LINE, ExitCodes.DRIVER_ERROR_LINE})
final class CdiGenerateCommand implements Callable<Integer> {

    @Option(names = "--output", paramLabel = "FILE|-", defaultValue = "-",
        description = "Where to write: - for stdout (default), a file (.yaml/.yml for YAML, else JSON).")
    String output;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
        description = "json or yaml for stdout (default: ${DEFAULT-VALUE}).")
    String format;

    @Mixin
    CdiOptionsMixin cdi;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CdiSpec cdiSpec = cdi.generate();
        if (output.equals("-")) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(format.equalsIgnoreCase("yaml") ? CdiSpecWriter.yaml(cdiSpec) : CdiSpecWriter.json(cdiSpec));
            out.flush();
        } else {
            CdiSpecWriter.writeFile(java.nio.file.Path.of(output), cdiSpec);
            spec.commandLine().getErr().println("wrote " + output + " (" + cdiSpec.devices().size() + " devices, "
                + "cdiVersion " + cdiSpec.cdiVersion() + ")");
        }
        return ExitCodes.OK;
    }
}
