package dev.gpuop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gpuop} command: the entry point of the CLI and, later, of the operator and node agent images. */
@Command(name = "gpuop", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Makes NVIDIA GPUs on Kubernetes schedulable, observable and verified.",
    subcommands = {GpusCommand.class, ValidateCommand.class, NodeAgentCommand.class, ToolkitCommand.class,
        OperatorCommand.class, RenderCommand.class, RestoreNodesCommand.class, StatusCommand.class, DoctorCommand.class,
        LabelsCommand.class, DriverCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE,
        ExitCodes.USAGE_LINE, ExitCodes.NO_DRIVER_LINE, ExitCodes.DRIVER_ERROR_LINE, ExitCodes.CONFIG_REFUSED_LINE,
        ExitCodes.CONTAINERD_DOWN_LINE})
public final class GpuopCommand {

    static {
        // picocli's default factory looks for Groovy's Closure class once per JVM, by name: a miss that opens every
        // one of the 90-odd jars on the class path, about 60 ms of a short command's start (docs/benchmarks.md).
        // gpuop has no Groovy.
        System.setProperty("picocli.disable.closures", "true");
    }

    /** Runs the CLI and exits with its code. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("node-agent")) {
            // The node agent runs for weeks on every GPU node. picocli would create every subcommand, and the
            // operator's pull in fabric8's and JOSDK's classes (about 12 MiB resident, docs/benchmarks.md).
            CommandLine agent = new CommandLine(new NodeAgentCommand()).setCommandName("gpuop node-agent");
            agent.setExecutionExceptionHandler(new ErrorReporter());
            System.exit(agent.execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        ShortCommands.Invocation invocation = ShortCommands.route(args);
        int code = invocation.execute();
        if (invocation.isShortCommand()) {
            // System.exit asks for the System.Logger of java.lang.Runtime to log the exit; finding its backend looks
            // up a LoggerFinder service in every one of the class path's 90-odd jars, none of which the AOT cache
            // opened: 20 to 35 ms of a short command's run (docs/benchmarks.md). Short commands register no
            // shutdown hook and leave nothing to clean up, so they flush what they wrote and halt.
            invocation.flush();
            Runtime.getRuntime().halt(code);
        }
        System.exit(code);
    }

    /** Runs the CLI and returns its exit code (tests call this). */
    public static int run(String... args) {
        return ShortCommands.route(args).execute();
    }

    static CommandLine newCommandLine() {
        return configure(new CommandLine(new GpuopCommand()));
    }

    /** What every gpuop command line shares: errors reported without a stack trace, enum values in any case. */
    static CommandLine configure(CommandLine cl) {
        cl.setExecutionExceptionHandler(new ErrorReporter());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }
}
