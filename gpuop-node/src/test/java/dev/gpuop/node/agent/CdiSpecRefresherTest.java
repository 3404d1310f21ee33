package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.node.toolkit.FileChange;
import dev.gpuop.node.toolkit.ToolkitState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent keeps the CDI spec true to the driver it finds under the host's root, as a pod sees it. */
class CdiSpecRefresherTest {

    private static final String OLD = "580.159.04";

    @TempDir
    Path dir;
    private Path host;
    private Path specDir;
    private Path stateDir;

    /** A node with the H200 machine's driver layout and a loaded driver of version {@link #OLD}. */
    @BeforeEach
    void node() throws Exception {
        host = Files.createDirectories(dir.resolve("host"));
        Path proc = Files.createDirectories(dir.resolve("proc/driver/nvidia"));
        specDir = Files.createDirectories(dir.resolve("cdi"));
        stateDir = Files.createDirectories(dir.resolve("state"));
        driver(host, OLD);
        Files.writeString(proc.resolve("version"), "NVRM version: NVIDIA UNIX Open Kernel Module  " + OLD + "\n");
    }

    @Test
    void theSpecFollowsTheDriverAndItsUninstallRecordFollowsTheSpec() throws Exception {
        CdiSpecRefresher refresher = new CdiSpecRefresher(host, dir.resolve("proc"), "h200", specDir, stateDir);

        Path file = refresher.refresh();
        assertThat(file).isEqualTo(specDir.resolve("nvidia.com-gpu.json"));
        String first = Files.readString(file);
        assertThat(first).contains("\"/usr/local/nvidia/lib64/libcuda.so." + OLD + "\"").doesNotContain(dir.toString());
        // what the toolkit step records when it writes the spec
        ToolkitState.empty().with(List.of(new FileChange(file, null, first)), List.of()).write(stateDir);

        assertThat(refresher.refresh()).as("the driver did not change: nothing is written").isNull();

        // the driver is reinstalled with one more library (the simulated GPUs fix the version; the files change)
        Files.writeString(host.resolve("usr/local/nvidia/lib64/libnvidia-ptxjitcompiler.so." + OLD), "elf");
        assertThat(refresher.refresh()).isEqualTo(file);
        String second = Files.readString(file);
        assertThat(second).contains("/usr/local/nvidia/lib64/libnvidia-ptxjitcompiler.so." + OLD);
        try (var left = Files.list(specDir)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).as("atomic: no temp file left")
                .containsExactly("nvidia.com-gpu.json");
        }
        ToolkitState.Entry entry = ToolkitState.read(stateDir).files().getFirst();
        assertThat(entry.original()).as("uninstall still removes the spec").isNull();
        assertThat(entry.writtenSha256()).isEqualTo(ToolkitState.sha256(second));
    }

    @Test
    void aSpecTheToolkitStepCouldNotWriteIsRecordedForUninstallWhereTheToolkitIsInstalled() throws Exception {
        Path template = dir.resolve("config-v3.toml.tmpl");
        ToolkitState.empty().with(List.of(new FileChange(template, null, "x")), List.of()).write(stateDir);
        Path file = new CdiSpecRefresher(host, dir.resolve("proc"), "h200", specDir, stateDir).refresh();
        assertThat(ToolkitState.read(stateDir).files()).extracting(ToolkitState.Entry::path)
            .containsExactly(template.toString(), file.toString());
        assertThat(ToolkitState.read(stateDir).files().get(1).original()).isNull();
        // no toolkit of gpuop's here: the agent records nothing
        Path noToolkit = Files.createDirectories(dir.resolve("state2"));
        Files.delete(file);
        new CdiSpecRefresher(host, dir.resolve("proc"), "h200", specDir, noToolkit).refresh();
        assertThat(ToolkitState.read(noToolkit).isEmpty()).isTrue();
    }

    @Test
    void withoutADriverNoSpecIsWritten() throws Exception {
        CdiSpecRefresher refresher = new CdiSpecRefresher(Files.createDirectories(dir.resolve("bare-host")),
            Files.createDirectories(dir.resolve("bare-proc")), null, specDir, stateDir);
        assertThat(refresher.refresh()).isNull();
        try (var left = Files.list(specDir)) {
            assertThat(left).isEmpty();
        }
    }

    /** The H200 machine's layout: /usr/local/nvidia/lib64 with NVML and CUDA of one version. */
    private static void driver(Path host, String version) throws Exception {
        Path lib = Files.createDirectories(host.resolve("usr/local/nvidia/lib64"));
        for (String name : List.of("libcuda", "libnvidia-ml")) {
            Files.writeString(lib.resolve(name + ".so." + version), "elf");
            Files.createSymbolicLink(lib.resolve(name + ".so.1"), Path.of(name + ".so." + version));
        }
    }
}
