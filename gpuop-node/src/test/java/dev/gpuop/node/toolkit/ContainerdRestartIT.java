package dev.gpuop.node.toolkit;

import dev.gpuop.gpu.host.Distribution;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * install's restart against a real containerd 1.x run by a supervisor loop (what systemd's Restart=always does):
 * gpuop stops the process behind the socket and waits until the new one answers with the new handlers. A second
 * supervisor that refuses to start containerd on a config with our handlers stands for a containerd that does not
 * come back: gpuop must put the previous config back and see containerd answer again.
 */
class ContainerdRestartIT {

    @TempDir
    Path root;

    private Process supervisor;

    @AfterEach
    void stopSupervisor() throws Exception {
        if (supervisor != null) {
            supervisor.descendants().forEach(ProcessHandle::destroy);
            supervisor.destroy();
            supervisor.waitFor();
            Thread.sleep(200);
            supervisor.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void installRestartsContainerdAndItAnswersWithTheNvidiaHandler() throws Exception {
        Path binary = ContainerdBinaries.require("containerd-1");
        Path config = writeConfig();
        Path socket = startSupervised(binary, config, false);
        long pidBefore = SocketOwner.of(socket).orElseThrow();

        ToolkitResult result = installer(binary, config, socket, Duration.ofSeconds(30)).install(settings());

        assertThat(result.restart()).isEqualTo(new RestartMethod.SignalOwner(pidBefore));
        assertThat(SocketOwner.of(socket).orElseThrow()).as("a new containerd").isNotEqualTo(pidBefore);
        try (CriClient cri = CriClient.of(socket)) {
            assertThat(cri.status(Duration.ofSeconds(5)).getInfoOrThrow("config")).contains("\"nvidia\"");
        }
        System.out.printf("restart: containerd answered %d ms after SIGTERM%n", result.restartTime().toMillis());
    }

    @Test
    void containerdThatDoesNotComeBackGetsThePreviousConfigBack() throws Exception {
        Path binary = ContainerdBinaries.require("containerd-1");
        Path config = writeConfig();
        Path socket = startSupervised(binary, config, true);
        Map<String, String> before = ContainerdToolkitIT.snapshot(config.getParent());

        ToolkitInstaller installer = installer(binary, config, socket, Duration.ofSeconds(5));
        assertThatThrownBy(() -> installer.install(settings()))
            .isInstanceOf(ContainerdDownException.class)
            .hasMessageContaining(socket.toString())
            .hasMessageContaining("the previous config is back and containerd answers again");

        assertThat(ContainerdToolkitIT.snapshot(config.getParent())).isEqualTo(before);
        assertThat(CriClient.answers(socket, Duration.ofSeconds(2))).isPresent();
        assertThat(root.resolve("state").resolve(ToolkitState.FILE)).doesNotExist();
    }

    @Test
    void aSocketNobodyAnswersIsRefusedBeforeAnyFileChanges() throws Exception {
        Path binary = ContainerdBinaries.require("containerd-1");
        Path config = writeConfig();
        Map<String, String> before = ContainerdToolkitIT.snapshot(config.getParent());
        Path socket = root.resolve("nobody.sock");

        assertThatThrownBy(() -> installer(binary, config, socket, Duration.ofSeconds(5)).install(settings()))
            .isInstanceOf(ToolkitException.class)
            .hasMessageContaining(socket.toString())
            .hasMessageContaining("nobody answers")
            .hasMessageContaining("Fix:");
        assertThat(ContainerdToolkitIT.snapshot(config.getParent())).isEqualTo(before);
    }

    private ToolkitInstaller installer(Path binary, Path config, Path socket, Duration timeout) {
        ContainerdSetup setup = SetupDetector.detect(new SetupHints(config, socket, Distribution.CONTAINERD, binary,
            root));
        return new ToolkitInstaller(setup, root.resolve("state"), true, timeout);
    }

    private ToolkitSettings settings() {
        return new ToolkitSettings("nvidia", "/usr/bin/nvidia-container-runtime", null, true,
            root.resolve("cdi").toString(), false, ToolkitSettings.RUNC_V2);
    }

    /** A small hand-written config whose every host path lies in the temp dir. */
    private Path writeConfig() throws IOException {
        Path config = root.resolve("etc/containerd/config.toml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, """
            # test containerd: every path in the temp dir
            version = 2
            [plugins."io.containerd.internal.v1.opt"]
              path = "%s"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
              SystemdCgroup = true
            """.formatted(root.resolve("opt")));
        return config;
    }

    /**
     * Starts a supervisor that runs containerd and starts it again whenever it exits; with {@code refuseNvidia} it
     * does not start it while the config names an nvidia handler.
     */
    private Path startSupervised(Path binary, Path config, boolean refuseNvidia) throws Exception {
        Path socket = root.resolve("run/containerd.sock");
        Files.createDirectories(socket.getParent());
        String gate = refuseNvidia ? "if grep -q nvidia \"$CONFIG\"; then sleep 0.1; continue; fi" : ":";
        String script = """
            while true; do
              %s
              "$BIN" --config "$CONFIG" --root "$RUN/root" --state "$RUN/state" --address "$RUN/containerd.sock" \
                >>"$RUN/containerd.log" 2>&1
              sleep 0.1
            done
            """.formatted(gate);
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
        pb.environment().putAll(Map.of("BIN", binary.toString(), "CONFIG", config.toString(),
            "RUN", socket.getParent().toString()));
        supervisor = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (CriClient.answers(socket, Duration.ofSeconds(1)).isEmpty()) {
            assertThat(System.nanoTime()).as("containerd answers under its supervisor").isLessThan(deadline);
            Thread.sleep(100);
        }
        return socket;
    }
}
