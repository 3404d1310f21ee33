package dev.gpuop.node.mps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemons' lifecycle against a stand-in for the driver's control program (a shell script with its interface):
 * what the agent starts it with, the limits it sends, and when it starts, keeps and quits a daemon. The real program
 * on a GPU is scripts/gpu-e2e.sh's mps scenario.
 */
class MpsDaemonsTest {

    private static final String GPU_A = "GPU-00000000-0000-0000-0000-00000000000a";
    private static final String GPU_B = "GPU-00000000-0000-0000-0000-00000000000b";

    @TempDir
    Path dir;
    Path driverRoot;
    Path mpsRoot;

    @BeforeEach
    void driver() throws IOException {
        driverRoot = dir.resolve("host");
        mpsRoot = dir.resolve("mps");
        // the H200 machine's layout: the driver's tools and libraries under /usr/local/nvidia
        Path control = driverRoot.resolve("usr/local/nvidia/bin/nvidia-cuda-mps-control");
        Files.createDirectories(control.getParent());
        try (var in = getClass().getResourceAsStream("fake-nvidia-cuda-mps-control.sh")) {
            Files.write(control, in.readAllBytes());
        }
        Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(driverRoot.resolve("usr/local/nvidia/lib64"));
        Files.writeString(driverRoot.resolve("usr/local/nvidia/lib64/libcuda.so.1"), "");
    }

    private MpsDaemons daemons() {
        return new MpsDaemons(mpsRoot, () -> MpsDriverTools.find(driverRoot));
    }

    private List<String> calls() throws IOException {
        Path calls = MpsPaths.logDir(mpsRoot, "nvidia.com/gpu").resolve("calls");
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    private static MpsDaemonSpec spec(int replicas) {
        return new MpsDaemonSpec("nvidia.com/gpu", List.of(new MpsDaemonSpec.MpsGpu(GPU_A, 143771),
            new MpsDaemonSpec.MpsGpu(GPU_B, 81559)), replicas);
    }

    @Test
    void aDaemonStartsOnItsOwnGpusWithEachReplicasShareThenSaysItIsUp() throws IOException {
        try (MpsDaemons d = daemons()) {
            assertThat(d.reconcile(List.of(spec(4)))).isEmpty();
            Path lib = driverRoot.resolve("usr/local/nvidia/lib64");
            assertThat(calls()).containsExactly(
                "-d CUDA_VISIBLE_DEVICES=" + GPU_A + "," + GPU_B + " LD_LIBRARY_PATH=" + lib + " PATH="
                    + driverRoot.resolve("usr/local/nvidia/bin") + ":/usr/bin:/bin",
                "set_default_device_pinned_mem_limit 0 35942M",
                "set_default_device_pinned_mem_limit 1 20389M",
                "set_default_active_thread_percentage 25",
                "get_default_active_thread_percentage");
            assertThat(MpsPaths.startedFile(mpsRoot, "nvidia.com/gpu")).exists();
            assertThat(MpsPaths.shmDir(mpsRoot)).isDirectory();
            assertThat(d.running()).containsOnlyKeys("nvidia.com/gpu");
        }
        assertThat(calls()).endsWith("quit");
        assertThat(MpsPaths.startedFile(mpsRoot, "nvidia.com/gpu")).doesNotExist();
    }

    @Test
    void anUnchangedDaemonKeepsRunningAndAChangedOneIsReplaced() throws IOException {
        try (MpsDaemons d = daemons()) {
            d.reconcile(List.of(spec(4)));
            int before = calls().size();
            // a kubelet restart or a config switch that leaves MPS as it was: the clients keep their server
            assertThat(d.reconcile(List.of(spec(4)))).isEmpty();
            assertThat(calls()).hasSize(before);
            assertThat(d.reconcile(List.of(spec(2)))).isEmpty();
            assertThat(calls().subList(before, calls().size())).startsWith("quit").contains(
                "set_default_active_thread_percentage 50");
            // time-slicing instead: no daemon wanted
            assertThat(d.reconcile(List.of())).isEmpty();
            assertThat(calls()).endsWith("quit");
            assertThat(d.running()).isEmpty();
        }
    }

    @Test
    void aDaemonLeftByAnEarlierAgentIsQuitBeforeTheNewOneStarts() throws Exception {
        MpsDaemons first = daemons();
        first.reconcile(List.of(spec(4)));
        // the first agent is gone without quitting (killed): its daemon still holds the pipe
        try (MpsDaemons second = daemons()) {
            assertThat(second.reconcile(List.of(spec(2)))).isEmpty();
            List<String> calls = calls();
            int restart = calls.lastIndexOf("quit");
            assertThat(restart).isPositive();
            assertThat(calls.get(restart + 1)).startsWith("-d ");
            assertThat(calls).endsWith("set_default_active_thread_percentage 50",
                "get_default_active_thread_percentage");
        }
    }

    @Test
    void aDaemonThatCannotStartIsReportedWithTheProgramsWordsAndNothingIsLeftStarted() throws IOException {
        Files.createDirectories(MpsPaths.logDir(mpsRoot, "nvidia.com/gpu"));
        Files.writeString(MpsPaths.logDir(mpsRoot, "nvidia.com/gpu").resolve("refuse"), "no CUDA-capable device");
        try (MpsDaemons d = daemons()) {
            Map<String, String> failed = d.reconcile(List.of(spec(2)));
            assertThat(failed).containsOnlyKeys("nvidia.com/gpu");
            assertThat(failed.get("nvidia.com/gpu")).contains("the MPS control daemon for nvidia.com/gpu did not "
                + "start", "exited with 1", "cannot start the MPS daemon: no CUDA-capable device");
            assertThat(d.running()).isEmpty();
            assertThat(MpsPaths.startedFile(mpsRoot, "nvidia.com/gpu")).doesNotExist();
        }
    }

    @Test
    void missingDriverToolsNameEveryPathSearched() throws IOException {
        Files.delete(driverRoot.resolve("usr/local/nvidia/bin/nvidia-cuda-mps-control"));
        try (MpsDaemons d = daemons()) {
            String why = d.reconcile(List.of(spec(2))).get("nvidia.com/gpu");
            assertThat(why).contains("nvidia-cuda-mps-control was not found; searched",
                driverRoot.resolve("usr/bin/nvidia-cuda-mps-control").toString(),
                driverRoot.resolve("usr/local/nvidia/bin/nvidia-cuda-mps-control").toString());
        }
        Files.delete(driverRoot.resolve("usr/local/nvidia/lib64/libcuda.so.1"));
        Files.writeString(driverRoot.resolve("usr/local/nvidia/bin/nvidia-cuda-mps-control"), "");
        Files.setPosixFilePermissions(driverRoot.resolve("usr/local/nvidia/bin/nvidia-cuda-mps-control"),
            PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> MpsDriverTools.find(driverRoot)).hasMessageContaining(
            "libcuda.so.1 (for the MPS server) was not found; searched").hasMessageContaining(
            driverRoot.resolve("usr/lib64/libcuda.so.1").toString());
    }

    @Test
    void theLimitsAreEachReplicasShareOfEachGpu() {
        MpsDaemonSpec s = new MpsDaemonSpec("nvidia.com/gpu.shared", List.of(new MpsDaemonSpec.MpsGpu(GPU_A, 1000)),
            3);
        assertThat(s.limitCommands()).containsExactly("set_default_device_pinned_mem_limit 0 333M",
            "set_default_active_thread_percentage 33");
        assertThat(s.visibleDevices()).isEqualTo(GPU_A);
    }
}
