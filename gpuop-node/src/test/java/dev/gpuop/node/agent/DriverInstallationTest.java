package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pre-installed check as the node agent's pod sees the node: the kernel's view, and the host's root at /host. */
class DriverInstallationTest {

    private static final String OLD = "580.159.04";

    @TempDir
    Path dir;

    @Test
    void aDriverContainerIsNotAPreinstalledDriverWhenItsRootIsUnderTheHostMount() throws Exception {
        Path kernel = Files.createDirectories(dir.resolve("kernel"));
        Files.createDirectories(kernel.resolve("proc/driver/nvidia"));
        Files.writeString(kernel.resolve("proc/driver/nvidia/version"), "NVRM version: " + OLD + "\n");
        Files.writeString(kernel.resolve("proc/modules"), "nvidia 14299136 - - Live 0x0 (O)\n");
        Path host = Files.createDirectories(dir.resolve("host"));
        assertThat(DriverInstallation.hostDriverLoaded(kernel, host)).isTrue();
        Files.createDirectories(host.resolve("run/nvidia/driver/usr"));
        assertThat(DriverInstallation.hostDriverLoaded(kernel, host)).isFalse();
        assertThat(DriverInstallation.hostDriverLoaded(kernel, Files.createDirectories(dir.resolve("pod-root"))))
            .as("the pod's own root shows no driver container").isTrue();
    }
}
