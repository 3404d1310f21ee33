package dev.gpuop.node.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver container's init step over a made-up /proc and host root. */
class DriverPrestartTest {

    static final String MODULES = """
        nvidia_uvm 2076672 0 - Live 0x0000000000000000 (POE)
        nvidia_drm 135168 0 - Live 0x0000000000000000 (POE)
        nvidia_modeset 1638400 1 nvidia_drm, Live 0x0000000000000000 (POE)
        nvidia 104071168 2 nvidia_uvm,nvidia_modeset, Live 0x0000000000000000 (POE)
        ext4 1036288 1 - Live 0x0000000000000000
        """;

    @TempDir
    Path root;

    final List<String> unloaded = new ArrayList<>();
    final StringWriter out = new StringWriter();

    Path proc() {
        return root.resolve("kernel/proc");
    }

    Path host() {
        return root.resolve("host");
    }

    Optional<String> run(Duration wait, boolean dryRun, DriverPrestart.Unloader unloader) throws Exception {
        return new DriverPrestart(new DriverPrestart.Settings(root.resolve("kernel"), host(), wait,
            Duration.ofMillis(20), dryRun), unloader, 1).run(new PrintWriter(out, true));
    }

    Optional<String> run() throws Exception {
        return run(Duration.ZERO, false, unloaded::add);
    }

    void modules(String text) throws IOException {
        Files.createDirectories(proc());
        Files.writeString(proc().resolve("modules"), text);
    }

    void process(long pid, String comm, String... targets) throws IOException {
        Path fd = Files.createDirectories(proc().resolve(pid + "/fd"));
        Files.writeString(proc().resolve(pid + "/comm"), comm + "\n");
        for (int i = 0; i < targets.length; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(i)), Path.of(targets[i]));
        }
    }

    @Test
    void modulesUnloadUsersFirstWhenNoProcessHoldsAGpu() throws Exception {
        modules(MODULES);
        process(400, "containerd", "/run/containerd/containerd.sock", "/dev/null");
        process(1, "self-holds-it", "/dev/nvidiactl"); // this process: never counted
        Files.createDirectories(host().resolve("usr/bin"));
        assertThat(run()).isEmpty();
        assertThat(unloaded).containsExactly("nvidia_uvm", "nvidia_drm", "nvidia_modeset", "nvidia");
        assertThat(out.toString()).contains("no process uses the GPUs");
    }

    @Test
    void aDriverInstalledOnTheHostStopsTheDriverContainer() throws Exception {
        modules(MODULES);
        Files.createDirectories(host().resolve("usr/local/nvidia/bin"));
        Files.writeString(host().resolve("usr/local/nvidia/bin/nvidia-smi"), "");
        assertThat(run()).get().asString().contains("installed on the host")
            .contains("usr/local/nvidia/bin/nvidia-smi").contains("pre-installed");
        assertThat(unloaded).isEmpty();
        // the same tool inside a driver container's root is the driver container's own, not the host's
        Files.createDirectories(host().resolve("run/nvidia/driver/usr/bin"));
        assertThat(run()).isEmpty();
    }

    @Test
    void processesHoldingAGpuAreWaitedForThenNamed() throws Exception {
        modules(MODULES);
        process(4242, "python3", "/dev/null", "/dev/nvidia0");
        process(4243, "nvidia-cuda-mps", "/dev/nvidia-uvm");
        assertThat(run(Duration.ofMillis(100), false, unloaded::add)).get().asString()
            .startsWith("2 process(es) still use the GPUs after 0 s")
            .contains("4242 (python3, /dev/nvidia0)", "4243 (nvidia-cuda-mps, /dev/nvidia-uvm)");
        assertThat(unloaded).isEmpty();
        assertThat(out.toString()).contains("waiting for 2 process(es)");
    }

    @Test
    void aProcessThatEndsWhileWaitedForLetsTheUnloadGoOn() throws Exception {
        modules(MODULES);
        process(4242, "python3", "/dev/nvidia0");
        Thread ender = new Thread(() -> {
            try {
                Thread.sleep(100);
                deleteTree(proc().resolve("4242"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ender.start();
        assertThat(run(Duration.ofSeconds(30), false, unloaded::add)).isEmpty();
        ender.join();
        assertThat(unloaded).contains("nvidia");
    }

    @Test
    void aModuleThatStaysIsNamedWithItsUsersAndTheToolsWords() throws Exception {
        modules(MODULES);
        Optional<String> why = run(Duration.ZERO, false, m -> {
            if (m.equals("nvidia_modeset")) {
                throw new IOException("rmmod exited 1: rmmod: can't unload module 'nvidia_modeset': in use");
            }
            unloaded.add(m);
        });
        assertThat(why).get().asString().isEqualTo("cannot unload nvidia_modeset (1 reference(s), used by "
            + "nvidia_drm): rmmod exited 1: rmmod: can't unload module 'nvidia_modeset': in use");
        assertThat(unloaded).containsExactly("nvidia_uvm", "nvidia_drm");
    }

    @Test
    void withoutAModuleOrOnADryRunNothingIsUnloaded() throws Exception {
        modules("ext4 1036288 1 - Live 0x0000000000000000\n");
        assertThat(run()).isEmpty();
        assertThat(out.toString()).contains("no NVIDIA kernel module loaded");
        modules(MODULES);
        assertThat(run(Duration.ZERO, true, unloaded::add)).isEmpty();
        assertThat(unloaded).isEmpty();
        assertThat(out.toString()).contains("would unload nvidia_uvm", "would unload nvidia");
    }

    @Test
    void procModulesReadsReferencesAndUsers() throws Exception {
        modules(MODULES);
        var loaded = KernelModules.read(proc().resolve("modules"));
        assertThat(loaded.get("nvidia")).isEqualTo(new KernelModules.Module("nvidia", 2,
            List.of("nvidia_uvm", "nvidia_modeset")));
        assertThat(KernelModules.nvidia(loaded)).extracting(KernelModules.Module::name)
            .containsExactly("nvidia_uvm", "nvidia_drm", "nvidia_modeset", "nvidia");
        assertThat(KernelModules.read(root.resolve("absent"))).isEqualTo(Map.of());
    }

    static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
