package dev.gpuop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gpuop driver}: the driver container's own steps on a node. */
@Command(name = "driver", mixinStandardHelpOptions = true,
    description = "Steps around NVIDIA's driver container on a node.",
    subcommands = {DriverPrestartCommand.class, CommandLine.HelpCommand.class})
final class DriverCommand {
}
