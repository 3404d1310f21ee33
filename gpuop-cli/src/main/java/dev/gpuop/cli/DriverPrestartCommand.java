package dev.gpuop.cli;

import dev.gpuop.node.driver.DriverPrestart;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gpuop driver prestart}: the driver DaemonSet's init container. Exits 0 when the driver container may start
 * (no module loaded, or the old one's modules unloaded after every GPU process ended), 1 with the reason otherwise,
 * so the pod shows it and the kubelet tries again.
 */
@Command(name = "prestart", mixinStandardHelpOptions = true,
    description = "Before a driver container starts: refuse over a driver installed on the host, wait for the "
        + "processes that hold a GPU, unload the old driver's kernel modules.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE,
        ExitCodes.USAGE_LINE})
final class DriverPrestartCommand implements Callable<Integer> {

    @Option(names = "--host-root", paramLabel = "DIR", defaultValue = "/",
        description = "The host's root as this process sees it (default: ${DEFAULT-VALUE}; /host in the pod).")
    Path hostRoot;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "300",
        description = "How long to wait for processes that hold a GPU (default: ${DEFAULT-VALUE}).")
    long waitSeconds;

    @Option(names = "--dry-run", description = "Say what would be unloaded; unload nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (!Files.isDirectory(hostRoot)) {
            throw new IllegalArgumentException("--host-root " + hostRoot + " is not a directory");
        }
        if (waitSeconds < 0) {
            throw new IllegalArgumentException("--wait must be 0 or more, got " + waitSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        Optional<String> refused = new DriverPrestart(new DriverPrestart.Settings(Path.of("/"), hostRoot,
            Duration.ofSeconds(waitSeconds), Duration.ofSeconds(5), dryRun), DriverPrestart.rmmod(),
            ProcessHandle.current().pid()).run(out);
        refused.ifPresent(why -> spec.commandLine().getErr().println("gpuop driver prestart: " + why));
        out.println(refused.isEmpty() ? "the driver container may start" : "the driver container must not start");
        out.flush();
        return refused.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
