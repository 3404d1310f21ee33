package dev.gpuop.cli;

import dev.gpuop.node.toolkit.ContainerdSetup;
import dev.gpuop.node.toolkit.ToolkitInstaller;
import dev.gpuop.node.toolkit.ToolkitResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How install and uninstall treat containerd and where they keep the previous files. */
final class ToolkitRunOptions {

    @Option(names = "--no-restart",
        description = "Write the files but do not restart containerd (env RUNTIME_RESTART_MODE=none).")
    boolean noRestart;

    @Option(names = "--restart-timeout", paramLabel = "SECONDS", defaultValue = "60",
        description = "How long containerd may take to answer after the restart (default: ${DEFAULT-VALUE}).")
    int restartTimeout;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/gpuop/toolkit",
        description = "Where the previous files are kept for uninstall (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    ToolkitInstaller installer(ContainerdSetup setup) {
        boolean restart = !noRestart && !"none".equals(ContainerdOptions.envValue("RUNTIME_RESTART_MODE"));
        return new ToolkitInstaller(setup, stateDir, restart, Duration.ofSeconds(restartTimeout));
    }

    static void report(String verb, ContainerdSetup setup, ToolkitResult r, PrintWriter out) {
        out.println("containerd: " + setup.distribution().id() + ", config " + setup.config()
            + (setup.template() == null ? "" : ", template " + setup.template())
            + (setup.binaryVersion() == null ? "" : ", containerd " + setup.binaryVersion()));
        if (r.written().isEmpty()) {
            out.println(verb + ": nothing to change (every file is already as wanted; containerd not restarted)");
        } else {
            out.println(verb + (r.strategy() == null ? "" : " (" + r.strategy().name().toLowerCase().replace('_', '-')
                + ")") + ": wrote " + r.written().size() + " file(s)"
                + (r.checkedWithContainerd() ? ", checked with `containerd config dump`" : ""));
            r.written().forEach(p -> out.println("  " + p));
            if (r.restart() != null) {
                out.printf("restarted containerd (%s); it answered after %.1f s%n", r.restart(),
                    r.restartTime().toMillis() / 1000.0);
            } else {
                out.println("containerd not restarted: restart it to load the change");
            }
        }
        r.notes().forEach(n -> out.println("note: " + n));
        out.flush();
    }
}
