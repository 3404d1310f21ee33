package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gpuop driver prestart} against this machine's own /proc (no NVIDIA module here; the GPU run reads one). */
class DriverPrestartCommandTest {

    @Test
    void onAHostWithoutAnNvidiaModuleTheDriverContainerMayStart(@TempDir Path host) throws Exception {
        Path modules = Path.of("/proc/modules"); // absent in some sandboxes: no module then either
        assumeFalse(Files.exists(modules) && Files.readString(modules).lines().anyMatch(l -> l.startsWith("nvidia ")),
            "this machine has an NVIDIA module loaded");
        CliRun run = CliRun.of("driver", "prestart", "--host-root", host.toString(), "--wait", "0");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("no NVIDIA kernel module loaded", "the driver container may start");
    }

    @Test
    void aHostRootThatIsNoDirectoryIsAUsageError(@TempDir Path dir) {
        CliRun run = CliRun.of("driver", "prestart", "--host-root", dir.resolve("absent").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--host-root").contains("is not a directory").doesNotContain("\tat ");
    }
}
