package dev.gpuop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gpuop validate}: the checks that prove a node can run GPU work, one subcommand per component. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Prove that a component works on this host.",
    subcommands = {ValidateCudaCommand.class, CommandLine.HelpCommand.class})
final class ValidateCommand {
}
