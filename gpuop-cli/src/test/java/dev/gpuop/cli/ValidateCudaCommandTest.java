package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCudaCommandTest {

    @Test
    void withoutADriverItNamesLibcudaAndThePathsSearched(@TempDir Path empty) {
        CliRun run = CliRun.of("validate", "cuda", "--driver-root", empty.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_DRIVER);
        assertThat(run.err()).contains("gpuop validate cuda: libcuda.so.1 was not found", empty.toString(),
            "Host: ");
        assertThat(run.err()).doesNotContain("\tat ");
    }

    @Test
    void aNonPositiveSizeIsAUsageError() {
        CliRun run = CliRun.of("validate", "cuda", "--elements", "0");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--elements must be positive");
    }

    @Test
    void helpDescribesTheCheckAndExitCodes() {
        CliRun run = CliRun.of("validate", "cuda", "--help");
        assertThat(run.out()).contains("Test PASSED", "Exit codes:", "--device", "--driver-root");
    }
}
