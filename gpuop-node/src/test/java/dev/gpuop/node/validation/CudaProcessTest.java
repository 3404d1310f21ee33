package dev.gpuop.node.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA stage's child process for real: a JVM of this runtime and class path running the check's main class (on a
 * machine without a driver it says which paths it searched), a child that hangs, and the link dir that gives it the
 * driver's libraries and nothing else.
 */
class CudaProcessTest {

    @TempDir
    Path dir;

    @Test
    void theChildJvmRunsTheCheckAndWithoutADriverSaysWhereItLooked() {
        CudaProcess p = CudaProcess.childJvm(dir.resolve("links"), Duration.ofSeconds(60));
        assertThat(p.command()).contains(CudaProcess.MAIN, "-cp");
        CudaStage.Output out = p.run();
        // this machine has no NVIDIA driver; a GPU machine runs this through the bundle's harness instead
        org.junit.jupiter.api.Assumptions.assumeTrue(out.exit() != 0, "a driver is installed here");
        assertThat(out.exit()).as(out.lines().toString()).isEqualTo(3);
        StageResult r = CudaStage.verdict(out, 1);
        assertThat(r.outcome()).isEqualTo(StageResult.Outcome.FAILED);
        assertThat(r.reason()).contains("libcuda.so.1").contains("/usr/lib64");
    }

    @Test
    void aChildThatHangsIsStoppedAtTheTimeout() {
        CudaStage.Output out = new CudaProcess(List.of("sleep", "30"), Map.of(), Duration.ofMillis(300)).run();
        assertThat(out.exit()).isEqualTo(-1);
        assertThat(CudaStage.verdict(out, 1).reason()).contains("did not finish in PT0.3S");
        assertThat(new CudaProcess(List.of(dir.resolve("missing").toString()), Map.of(), Duration.ofSeconds(5))
            .run().lines().getFirst()).startsWith("error cannot start");
    }

    @Test
    void theLinkDirHoldsTheDriversLibrariesOnlyAndIsRemadeEachTime() throws Exception {
        Path root = dir.resolve("host");
        Path lib = root.resolve("usr/lib/x86_64-linux-gnu");
        Files.createDirectories(lib);
        for (String f : List.of("libcuda.so.1", "libcuda.so.580.95.05", "libnvidia-ptxjitcompiler.so.1",
            "libnvidia-gpucomp.so.580.95.05", "libnvidia-ml.so.1", "libc.so.6", "libstdc++.so.6", "libz.so.1")) {
            Files.writeString(lib.resolve(f), f);
        }
        Path links = dir.resolve("links");
        Files.createDirectories(links);
        Files.writeString(links.resolve("libnvidia-ml.so.570.1"), "from the driver before an upgrade");
        List<Path> made = DriverLibraryLinks.create(links, root);
        try (var names = Files.list(links)) {
            assertThat(names.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder(
                "libcuda.so.1", "libcuda.so.580.95.05", "libnvidia-ptxjitcompiler.so.1",
                "libnvidia-gpucomp.so.580.95.05", "libnvidia-ml.so.1");
        }
        assertThat(made).hasSize(5);
        assertThat(Files.readString(links.resolve("libnvidia-ptxjitcompiler.so.1")))
            .isEqualTo("libnvidia-ptxjitcompiler.so.1");
    }
}
