package dev.gpuop.node.toolkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the running containerd reports over CRI, in one line: version, loaded runtime handlers, CDI settings
 * ({@link ContainerdView}, the same view the node checks and {@code gpuop doctor} use). Kept out of the CLI's command
 * classes so that they load without gRPC on the class path.
 */
public final class CriSummary {

    private CriSummary() {
    }

    /** The line for {@code gpuop toolkit status}; says so when nothing answers. */
    public static String of(Path socket) {
        if (!Files.exists(socket)) {
            return "absent (containerd not running here)";
        }
        ContainerdView v = ContainerdView.ask(socket, Duration.ofSeconds(3));
        if (v.error() != null) {
            return "does not answer (" + v.error() + ")";
        }
        return "containerd " + v.version() + ", handlers " + v.handlers() + ", CDI " + (v.enableCdi() ? "on" : "off")
            + ", cdiSpecDirs " + v.cdiSpecDirs();
    }
}
