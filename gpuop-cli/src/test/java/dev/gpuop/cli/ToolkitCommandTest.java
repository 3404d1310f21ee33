package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gpuop toolkit} on an RKE2 host laid out under a temp root (no containerd binary there, so no restart and
 * no config dump: those are the node module's ITs), driven by NVIDIA's environment names as a ClusterPolicy would.
 */
class ToolkitCommandTest {

    static final String SEED_RKE2 = """
        version = 2

        [plugins."io.containerd.internal.v1.opt"]
          path = "/var/lib/rancher/rke2/agent/containerd"
        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "rancher/mirrored-pause:3.6"

        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"

        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = true
        """;

    @TempDir
    Path host;

    @AfterEach
    void resetEnv() {
        ContainerdOptions.env = System.getenv();
    }

    @Test
    void installStatusUninstallOnRke2ThroughNvidiasEnvironmentNames() throws IOException {
        Path dir = Files.createDirectories(host.resolve("var/lib/rancher/rke2/agent/etc/containerd"));
        Files.writeString(dir.resolve("config.toml"), SEED_RKE2);
        ContainerdOptions.env = Map.of("CONTAINERD_CONFIG", dir.resolve("config.toml").toString(),
            "CONTAINERD_RUNTIME_CLASS", "nvidia", "RUNTIME_RESTART_MODE", "none",
            "CDI_OUTPUT_DIR", host.resolve("cdi").toString());
        String[] common = {"--host-root", host.toString(), "--state-dir", host.resolve("state").toString()};
        String[] installArgs = {"--host-root", host.toString(), "--state-dir", host.resolve("state").toString(),
            "--proc-root", host.resolve("proc").toString()};

        CliRun install = run("install", installArgs);
        assertThat(install.exitCode()).as(install.err()).isZero();
        assertThat(install.out()).contains("containerd: rke2").contains("install (template): wrote 1 file(s)")
            .contains(dir.resolve("config.toml.tmpl").toString());
        assertThat(Files.readString(dir.resolve("config.toml.tmpl"))).startsWith("{{ template \"base\" . }}")
            .contains("[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.nvidia]");
        assertThat(Files.readString(dir.resolve("config.toml"))).as("RKE2's generated file").isEqualTo(SEED_RKE2);

        CliRun again = run("install", installArgs);
        assertThat(again.out()).contains("nothing to change");

        CliRun status = run("status", common);
        assertThat(status.exitCode()).as(status.out()).isZero();
        assertThat(status.out()).contains("strategy:     template").contains("installed:    yes, config up to date");

        CliRun uninstall = run("uninstall", common);
        assertThat(uninstall.exitCode()).as(uninstall.err()).isZero();
        assertThat(dir.resolve("config.toml.tmpl")).doesNotExist();
        assertThat(run("status", common).exitCode()).as("not installed").isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void aBrokenConfigIsOneLineNamingTheFileAndTheFixAndExitFive() throws IOException {
        Path config = host.resolve("etc/containerd/config.toml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "version = 2\n[plugins\n");
        CliRun r = run("install", "--containerd-config", config.toString(), "--distribution", "containerd",
            "--no-restart", "--state-dir", host.resolve("state").toString(), "--host-root", host.toString(),
            "--proc-root", host.resolve("proc").toString(), "--containerd-binary", "/bin/true");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.CONFIG_REFUSED);
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).startsWith("gpuop toolkit install: " + config + ": not valid TOML").contains("Fix: ");
        assertThat(Files.readString(config)).isEqualTo("version = 2\n[plugins\n");
    }

    @Test
    void installWritesTheCdiSpecAndUninstallRemovesIt() throws IOException {
        Path dir = Files.createDirectories(host.resolve("var/lib/rancher/k3s/agent/etc/containerd"));
        Files.writeString(dir.resolve("config.toml"), SEED_RKE2);
        Path lib = Files.createDirectories(host.resolve("usr/local/nvidia/lib64"));
        Files.writeString(lib.resolve("libcuda.so.525.78.01"), "elf");
        String[] args = {"--containerd-config", dir.resolve("config.toml").toString(), "--no-restart",
            "--host-root", host.toString(), "--state-dir", host.resolve("state").toString(),
            "--cdi-dir", host.resolve("cdi").toString()};
        String[] installArgs = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream
            .of("--simulate", "mx150-laptop", "--driver-root", host.toString())).toArray(String[]::new);
        CliRun install = run("install", installArgs);
        assertThat(install.exitCode()).as(install.err()).isZero();
        Path spec = host.resolve("cdi/nvidia.com-gpu.json");
        assertThat(Files.readString(spec)).contains("\"kind\" : \"nvidia.com/gpu\"")
            .contains("/usr/local/nvidia/lib64/libcuda.so.525.78.01");
        assertThat(run("install", installArgs).out()).contains("nothing to change");
        assertThat(run("uninstall", args).exitCode()).isZero();
        assertThat(spec).doesNotExist();
        assertThat(dir.resolve("config.toml.tmpl")).doesNotExist();
    }

    @Test
    void uninstallOnANodeGpuopNeverTouchedNeedsNoContainerdAndChangesNothing() {
        // the node agent's init step with the toolkit off, on the seed's node: no record, no config gpuop can find
        CliRun r = run("uninstall", "--containerd-config", host.resolve("nowhere/config.toml").toString(),
            "--state-dir", host.resolve("state").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("nothing to restore");
        assertThat(host.resolve("nowhere")).doesNotExist();
    }

    @Test
    void inThePodTheCdiSpecIsReadUnderTheHostMountAndNamesTheHostsPaths() throws IOException {
        Path lib = Files.createDirectories(host.resolve("run/nvidia/driver/usr/lib64"));
        Files.writeString(lib.resolve("libnvidia-ml.so.1"), "elf");
        CdiOptionsMixin mixin = new CdiOptionsMixin();
        mixin.procRoot = host.resolve("proc");
        var o = mixin.options(host.toString());
        assertThat(o.driverRoot()).as("the driver container's root, under the host mount")
            .isEqualTo(host.resolve("run/nvidia/driver"));
        assertThat(o.devRoot()).isEqualTo(host);
        assertThat(o.onHost(lib.resolve("libnvidia-ml.so.1"))).isEqualTo("/run/nvidia/driver/usr/lib64/"
            + "libnvidia-ml.so.1");
        assertThat(mixin.options(null).driverRoot()).as("on the host itself").isEqualTo(Path.of("/"));
    }

    @Test
    void anUnknownDistributionIsABadCommandLine() {
        assertThat(run("status", "--distribution", "k8s").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void cdiGenerateWritesTheSpecOfASimulatedHost() throws IOException {
        Path lib = Files.createDirectories(host.resolve("usr/local/nvidia/lib64"));
        Files.writeString(lib.resolve("libcuda.so.525.78.01"), "elf");
        Files.createSymbolicLink(lib.resolve("libcuda.so.1"), Path.of("libcuda.so.525.78.01"));
        CliRun stdout = CliRun.of("toolkit", "cdi", "generate", "--simulate", "mx150-laptop", "--driver-root",
            host.toString(), "--proc-root", host.resolve("proc").toString());
        assertThat(stdout.exitCode()).as(stdout.err()).isZero();
        assertThat(stdout.out()).contains("\"kind\" : \"nvidia.com/gpu\"").contains("\"name\" : \"all\"")
            .contains("/usr/local/nvidia/lib64/libcuda.so.1");
        Path yaml = host.resolve("out/nvidia.yaml");
        CliRun file = CliRun.of("toolkit", "cdi", "generate", "--simulate", "mx150-laptop", "--driver-root",
            host.toString(), "--proc-root", host.resolve("proc").toString(), "--output", yaml.toString());
        assertThat(file.exitCode()).isZero();
        var fromYaml = new com.fasterxml.jackson.databind.ObjectMapper(
            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml.toFile());
        var fromJson = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stdout.out());
        assertThat(fromYaml).as("YAML reads back as the JSON spec").isEqualTo(fromJson);
        assertThat(fromYaml.path("devices").get(0).path("name").isTextual()).as("device 0 is a string").isTrue();
    }

    private static CliRun run(String sub, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "toolkit";
        all[1] = sub;
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }
}
