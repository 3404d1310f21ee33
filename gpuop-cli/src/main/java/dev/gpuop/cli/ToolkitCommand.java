package dev.gpuop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gpuop toolkit}: the container-runtime step of a GPU node (containerd handlers and the CDI spec). */
@Command(name = "toolkit", mixinStandardHelpOptions = true,
    description = "Register NVIDIA runtime handlers in containerd (plain, RKE2, K3s) and write the CDI spec, "
        + "without ever leaving containerd broken.",
    subcommands = {ToolkitInstallCommand.class, ToolkitUninstallCommand.class, ToolkitStatusCommand.class,
        CdiCommand.class, CommandLine.HelpCommand.class})
final class ToolkitCommand {
}
