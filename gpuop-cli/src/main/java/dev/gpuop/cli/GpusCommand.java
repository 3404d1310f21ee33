package dev.gpuop.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuHosts;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpuop gpus}: the host's GPUs as the driver reports them, or why there are none. */
@Command(name = "gpus", mixinStandardHelpOptions = true,
    description = "List this host's NVIDIA GPUs: identity, memory, capability, MIG devices, NVLink, live readings.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.USAGE_LINE,
        ExitCodes.NO_DRIVER_LINE, ExitCodes.DRIVER_ERROR_LINE})
final class GpusCommand implements Callable<Integer> {

    /** Output formats. */
    enum Format { TABLE, JSON, YAML }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
        description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
    Format output;

    @Option(names = "--simulate", paramLabel = "FIXTURE",
        description = "Read a simulated host instead of the driver: a shipped fixture (mx150-laptop, h100-sxm-8x, "
            + "a100-mig-mixed, h200) or a fixture file.")
    String simulate;

    @Mixin
    DriverOptions driver;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (GpuHost host = GpuHosts.open(simulate, driver.libraries())) {
            HostView view = HostView.of(host);
            switch (output) {
                case TABLE -> GpuTable.print(view, out);
                case JSON -> out.println(json().writeValueAsString(view));
                case YAML -> out.print(yaml().writeValueAsString(view));
                default -> throw new IllegalStateException(output.name());
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    static ObjectMapper json() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    static ObjectMapper yaml() {
        return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
    }
}
