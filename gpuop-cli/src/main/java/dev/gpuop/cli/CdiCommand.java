package dev.gpuop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gpuop toolkit cdi}: the Container Device Interface spec of this host's GPUs. */
@Command(name = "cdi", mixinStandardHelpOptions = true,
    description = "The CDI spec (nvidia.com/gpu) of this host's GPUs and driver.",
    subcommands = {CdiGenerateCommand.class, CommandLine.HelpCommand.class})
final class CdiCommand {
}
