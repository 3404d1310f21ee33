package dev.gpuop.node.toolkit;

import dev.gpuop.gpu.host.Distribution;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.cdi.CdiOptions;
import dev.gpuop.node.cdi.CdiSpec;
import dev.gpuop.node.cdi.CdiSpecGenerator;
import dev.gpuop.node.cdi.CdiSpecWriter;
import dev.gpuop.node.cdi.DriverFiles;
import dev.gpuop.node.cdi.GpuInventory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on containerd 2.x: {@code install} adds the nvidia handler (drop-in), the spec generator writes the
 * CDI spec of a simulated H200 over a driver laid out in a temp root, and a real pod sandbox on the {@code nvidia}
 * handler runs busybox with {@code nvidia.com/gpu=all}: containerd's own CDI injection (no NVIDIA hook binaries)
 * must give it the device nodes, the libraries under {@code /usr/local/nvidia/lib64} by their sonames, the
 * binaries on the CUDA image path and the spec's env. Needs testenv (containerd 2.x, crictl, ctr, the pause and
 * busybox image tarballs); skipped with an assumption otherwise.
 */
class CdiInjectionIT {

    static final String VERSION = "580.159.04";

    @TempDir
    Path root;

    @Test
    void aPodOnTheNvidiaHandlerGetsTheDriverThroughContainerdsCdiWithoutHooks() throws Exception {
        Path containerd = ContainerdBinaries.require("containerd-2");
        Path bin = containerd.getParent();
        Path images = bin.getParent().resolve(".images");
        Path runc = List.of(Path.of("/usr/sbin/runc"), Path.of("/usr/bin/runc")).stream()
            .filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(Files.isExecutable(bin.resolve("crictl")) && Files.isExecutable(bin.resolve("ctr"))
            && Files.exists(images.resolve("pause.tar")) && Files.exists(images.resolve("busybox.tar"))
            && runc != null, "needs testenv's crictl, ctr and image tarballs next to containerd 2.x, and runc");
        Path d = root;
        Path config = d.resolve("etc/containerd/config.toml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, baseConfig(d, runc, imageName(images.resolve("pause.tar"))));

        Path driver = fakeDriver(d.resolve("driver"));
        CdiSpec spec;
        try (GpuHost host = SimulatedGpuHost.open("h200")) {
            CdiOptions options = new CdiOptions(driver, driver, d, d.resolve("proc"), CdiOptions.NVIDIA_GPU);
            spec = CdiSpecGenerator.generate(GpuInventory.of(host), DriverFiles.find(driver, d, VERSION), options);
        }
        Path cdiDir = d.resolve("cdi");
        Path specFile = cdiDir.resolve(spec.fileBaseName() + ".json");
        ContainerdSetup setup = SetupDetector.detect(new SetupHints(config, d.resolve("c.sock"),
            Distribution.CONTAINERD, containerd, d));
        ToolkitSettings settings = new ToolkitSettings("nvidia", null, null, true, cdiDir.toString(), false,
            ToolkitSettings.RUNC_V2);
        ToolkitResult result = new ToolkitInstaller(setup, d.resolve("state"), false, Duration.ofSeconds(30))
            .install(settings, List.of(new FileChange(specFile, null, CdiSpecWriter.json(spec))));
        assertThat(result.strategy()).isEqualTo(ToolkitPlan.Strategy.DROP_IN);

        Process daemon = start(d, containerd, config);
        try {
            run(d, bin.resolve("ctr").toString(), "--address", d.resolve("c.sock").toString(), "--namespace",
                "k8s.io", "images", "import", images.resolve("pause.tar").toString());
            run(d, bin.resolve("ctr").toString(), "--address", d.resolve("c.sock").toString(), "--namespace",
                "k8s.io", "images", "import", images.resolve("busybox.tar").toString());
            String logs = runPod(d, bin.resolve("crictl"), imageName(images.resolve("busybox.tar")));
            System.out.print("CDI container output:\n" + logs);
            assertThat(logs).contains("node c 1, 3 /dev/nvidia0").contains("node c 1, 3 /dev/nvidiactl")
                .contains("lib fake libcuda " + VERSION).contains("ml fake libnvidia-ml " + VERSION)
                .contains("smi fake nvidia-smi").contains("env void");
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor();
            }
            // the image layers hold thousands of links; removed here so JUnit's cleanup does not list each one
            new ProcessBuilder("rm", "-rf", d.resolve("root").toString()).inheritIO().start().waitFor();
        }
    }

    private String runPod(Path d, Path crictl, String image) throws Exception {
        String sock = "unix://" + d.resolve("c.sock");
        List<String> c = List.of(crictl.toString(), "--runtime-endpoint", sock, "--image-endpoint", sock,
            "--timeout", "60s");
        Path pod = Files.writeString(d.resolve("pod.json"), """
            {"metadata": {"name": "cdi", "namespace": "default", "uid": "cdi-1"},
             "log_directory": "%s",
             "linux": {"security_context": {"namespace_options": {"network": 2}}}}
            """.formatted(d.resolve("logs")));
        Path ctr = Files.writeString(d.resolve("ctr.json"), """
            {"metadata": {"name": "cuda"}, "image": {"image": "%s"}, "log_path": "cuda.log",
             "annotations": {"cdi.k8s.io/gpuop-test": "nvidia.com/gpu=all"},
             "command": ["sh", "-c", "%s"]}
            """.formatted(image, "for n in /dev/nvidia0 /dev/nvidiactl; do echo node $(stat -c '%F' $n | "
                + "cut -c1) $(stat -c '%t, %T' $n) $n; done | sed 's/character/c/;s/ 0*\\\\([0-9]\\\\)/ \\\\1/g'; "
                + "echo lib $(cat /usr/local/nvidia/lib64/libcuda.so.1); "
                + "echo ml $(cat /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1); "
                + "echo smi $(/usr/local/nvidia/bin/nvidia-smi); echo env $NVIDIA_VISIBLE_DEVICES"));
        String podId = run(d, concat(c, "runp", "--runtime", "nvidia", pod.toString())).strip();
        String ctrId = run(d, concat(c, "create", podId, ctr.toString(), pod.toString())).strip();
        run(d, concat(c, "start", ctrId));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!run(d, concat(c, "inspect", "-o", "go-template", "--template", "{{.status.state}}", ctrId))
            .contains("EXITED")) {
            assertThat(System.nanoTime()).as("container exits").isLessThan(deadline);
            Thread.sleep(200);
        }
        String logs = run(d, concat(c, "logs", ctrId));
        run(d, concat(c, "stopp", podId));
        run(d, concat(c, "rmp", podId));
        return logs;
    }

    private static Path fakeDriver(Path driver) throws IOException, InterruptedException {
        Path lib = Files.createDirectories(driver.resolve("usr/lib/x86_64-linux-gnu"));
        for (String name : List.of("libcuda", "libnvidia-ml")) {
            Files.writeString(lib.resolve(name + ".so." + VERSION), "fake " + name + " " + VERSION + "\n");
            Files.createSymbolicLink(lib.resolve(name + ".so.1"), Path.of(name + ".so." + VERSION));
        }
        Path smi = Files.createDirectories(driver.resolve("usr/bin")).resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho fake nvidia-smi\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(driver.resolve("dev"));
        for (String node : List.of("nvidia0", "nvidiactl", "nvidia-uvm")) {
            // stand-ins with /dev/null's numbers: CDI reads type, major and minor from the host node
            assertThat(new ProcessBuilder("mknod", driver.resolve("dev/" + node).toString(), "c", "1", "3")
                .inheritIO().start().waitFor()).isZero();
        }
        return driver;
    }

    /** The name an OCI image tarball gives its image ({@code io.containerd.image.name} in its index.json). */
    private static String imageName(Path tar) throws Exception {
        Process p = new ProcessBuilder("tar", "-xOf", tar.toString(), "index.json").start();
        JsonNode index = new ObjectMapper().readTree(p.getInputStream());
        assertThat(p.waitFor()).isZero();
        String name = index.path("manifests").path(0).path("annotations").path("io.containerd.image.name").asText();
        assertThat(name).as("image name in " + tar).isNotEmpty();
        return name;
    }

    private static String baseConfig(Path d, Path runc, String pause) {
        return """
            # containerd 2.x for the CDI test: every path in the temp dir
            version = 3
            root = "%1$s/root"
            state = "%1$s/state"
            disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.snapshotter.v1.btrfs",
              "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
              "io.containerd.snapshotter.v1.blockfile", "io.containerd.snapshotter.v1.erofs",
              "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
            [grpc]
              address = "%1$s/c.sock"
            [ttrpc]
              address = "%1$s/c.sock.ttrpc"
            [plugins."io.containerd.internal.v1.opt"]
              path = "%1$s/opt"
            [plugins."io.containerd.cri.v1.images"]
              snapshotter = "overlayfs"
            [plugins."io.containerd.cri.v1.images".pinned_images]
              sandbox = "%3$s"
            [plugins."io.containerd.cri.v1.runtime"]
              netns_mounts_under_state_dir = true
              restrict_oom_score_adj = true
            [plugins."io.containerd.cri.v1.runtime".containerd]
              default_runtime_name = "runc"
            [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
            [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
              BinaryName = "%2$s"
              Root = "%1$s/runc"
            [plugins."io.containerd.grpc.v1.cri"]
              disable_tcp_service = true
              stream_server_address = "127.0.0.1"
              stream_server_port = "0"
            """.formatted(d, runc, pause);
    }

    private static Process start(Path d, Path containerd, Path config) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(containerd.toString(), "--config", config.toString())
            .redirectErrorStream(true).redirectOutput(d.resolve("containerd.log").toFile());
        // its own runc shim first on PATH (not the distribution's older one)
        pb.environment().put("PATH", containerd.getParent() + ":" + System.getenv().getOrDefault("PATH", ""));
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (CriClient.answers(d.resolve("c.sock"), Duration.ofSeconds(1)).isEmpty()) {
            assertThat(p.isAlive()).as("containerd runs: " + Files.readString(d.resolve("containerd.log"))).isTrue();
            assertThat(System.nanoTime()).as("containerd answers").isLessThan(deadline);
            Thread.sleep(100);
        }
        return p;
    }

    private static String run(Path d, String... cmd) throws Exception {
        return run(d, List.of(cmd));
    }

    private static String run(Path d, List<String> cmd) throws Exception {
        Path err = d.resolve("command.err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out + Files.readString(err)
            + "\ncontainerd log:\n" + tail(d.resolve("containerd.log"))).isZero();
        return out;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

}
