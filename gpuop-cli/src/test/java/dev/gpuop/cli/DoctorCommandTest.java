package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.GpuFixtures;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gpuop doctor's host half on host trees built from real containerd configs of each layout (the seed's RKE2 and K3s
 * files, containerd's stock one), broken ones, and simulated GPUs; it reads and never writes. The cluster half runs
 * against testenv (OperatorChartE2E), the CUDA step on the H200 (scripts/gpu-e2e.sh).
 */
class DoctorCommandTest {

    private static final String FIXTURES = "/dev/gpuop/node/toolkit/fixtures/";
    private static final String K3S = "var/lib/rancher/k3s/agent/etc/containerd/";
    private static final String RKE2 = "var/lib/rancher/rke2/agent/etc/containerd/";

    @TempDir
    Path root;

    private static String fixture(String name) throws IOException {
        try (InputStream in = DoctorCommandTest.class.getResourceAsStream(FIXTURES + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Path write(String rel, String text) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    private static Map<String, JsonNode> byStep(CliRun run) throws IOException {
        Map<String, JsonNode> m = new TreeMap<>();
        new ObjectMapper().readTree(run.out()).path("findings").forEach(f -> m.put(f.path("step").asText(), f));
        for (JsonNode f : m.values()) {
            // docs/troubleshooting.md has a section per step of this list, and a fix naming a gpuop command names
            // one that exists
            assertThat(dev.gpuop.cli.doctor.Doctor.STEPS).contains(f.path("step").asText());
            assertMentionedCommandsExist(f.path("fix").asText());
        }
        return m;
    }

    /** Each {@code gpuop <subcommand> [<subcommand>...] [--option]} in the text is one gpuop's command line has. */
    static void assertMentionedCommandsExist(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\bgpuop ([a-z][a-z-]*(?: [a-z-]+)*)")
            .matcher(text);
        while (m.find()) {
            picocli.CommandLine cl = GpuopCommand.newCommandLine();
            String[] words = m.group(1).split(" ");
            assertThat(cl.getSubcommands()).as(text).containsKey(words[0]);
            for (int i = 0; i < words.length; i++) {
                picocli.CommandLine sub = cl.getSubcommands().get(words[i]);
                if (sub == null) {
                    break; // prose after the command
                }
                cl = sub;
            }
        }
    }

    private static String specNaming(List<String> uuids) {
        return "{\"cdiVersion\":\"0.5.0\",\"kind\":\"nvidia.com/gpu\",\"devices\":["
            + String.join(",", uuids.stream().map(u -> "{\"name\":\"" + u + "\"}").toList()) + "]}";
    }

    private static List<String> simulatedUuids() {
        try (GpuHost h = SimulatedGpuHost.open(GpuFixtures.load("h100-sxm-8x"), Clock.systemUTC())) {
            return h.gpus().stream().map(g -> g.info().uuid()).toList();
        }
    }

    /** Every file under the tree with its bytes, to show the doctor wrote nothing. */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(root.relativize(p).toString(), Files.readString(p));
            }
        }
        return m;
    }

    @Test
    void anRke2NodeWithTheSeedsConfigTheCdiSpecAndTheKubeletPassesWithoutChangingAFile() throws Exception {
        write(RKE2 + "config.toml", fixture("seed-rke2.toml"));
        write(RKE2 + "config.toml.tmpl", "{{ template \"base\" . }}\n");
        write("var/run/cdi/nvidia.com-gpu.json", specNaming(simulatedUuids()));
        write("var/lib/kubelet/device-plugins/kubelet.sock", "");
        write("var/lib/kubelet/device-plugins/gpuop-gpu-1a2b3c4d.sock", "");
        write("usr/bin/nvidia-container-runtime", "#!/bin/sh\n").toFile().setExecutable(true);
        Map<String, String> before = snapshot();
        CliRun run = CliRun.of("doctor", "--host-root", root.toString(), "--simulate", "h100-sxm-8x", "-o", "json");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        Map<String, JsonNode> s = byStep(run);
        assertThat(s.get("nvml").path("result").asText()).isEqualTo("PASS");
        assertThat(s.get("nvml").path("evidence").asText()).contains("8 GPU(s)");
        assertThat(s.get("containerd-config").path("evidence").asText()).startsWith("rke2: ").contains("includes base");
        assertThat(s.get("containerd-handler").path("result").asText()).as("no containerd runs here").isEqualTo("WARN");
        assertThat(s.get("containerd-handler").path("evidence").asText()).contains("the config files name a handler");
        assertThat(s.get("cdi-spec").path("result").asText()).isEqualTo("PASS");
        assertThat(s.get("nvidia-toolkit").path("evidence").asText()).contains("/usr/bin/nvidia-container-runtime");
        assertThat(s.get("device-plugin-socket").path("result").asText()).isEqualTo("PASS");
        assertThat(s.get("cuda").path("result").asText()).isEqualTo("SKIP");
        assertThat(snapshot()).as("doctor never writes").isEqualTo(before);
    }

    @Test
    void aK3sTemplateWithoutTheBaseIncludeFailsNamingTheLineToAdd() throws Exception {
        write(K3S + "config.toml", fixture("seed-k3s.toml"));
        write(K3S + "config-v3.toml.tmpl", "version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd]\n");
        CliRun run = CliRun.of("doctor", "--host-root", root.toString(), "--simulate", "h100-sxm-8x");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        String line = run.out().lines().filter(l -> l.startsWith("host/containerd-config")).findFirst().orElseThrow();
        assertThat(line).contains("FAIL", "k3s", "config-v3.toml.tmpl", "lacks {{ template \"base\" . }}");
        assertThat(run.out()).contains("fix:   put {{ template \"base\" . }} at the top of");
    }

    @Test
    void brokenTomlIsAFailureNamingTheFileAndTheFileStaysAsItWas() throws Exception {
        String broken = fixture("containerd24-default.toml").replaceFirst("\\[plugins", "[plugins\n  oops = ");
        write("etc/containerd/config.toml", broken);
        Map<String, String> before = snapshot();
        CliRun run = CliRun.of("doctor", "--host-root", root.toString(), "--simulate", "h100-sxm-8x", "-o", "json");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        JsonNode config = byStep(run).get("containerd-config");
        assertThat(config.path("result").asText()).isEqualTo("FAIL");
        assertThat(config.path("evidence").asText()).contains("containerd: ")
            .contains(root.resolve("etc/containerd/config.toml").toString()).contains("not valid TOML");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aCdiSpecMissingAGpuFailsNamingItAndAHostWithoutAGpuSkipsTheDriverSteps() throws Exception {
        List<String> uuids = simulatedUuids();
        write("etc/containerd/config.toml", fixture("containerd24-default.toml"));
        write("etc/cdi/nvidia.yaml", specNaming(uuids.subList(0, 7)).replace("{", "{ ").replace("0.5.0", "0.5.0"));
        CliRun run = CliRun.of("doctor", "--host-root", root.toString(), "--simulate", "h100-sxm-8x", "-o", "json");
        JsonNode cdi = byStep(run).get("cdi-spec");
        assertThat(cdi.path("result").asText()).isEqualTo("FAIL");
        assertThat(cdi.path("evidence").asText()).contains(uuids.get(7));
        assertThat(cdi.path("fix").asText()).contains("gpuop toolkit cdi generate");

        // no simulation: this tree has no PCI bus with an NVIDIA GPU
        CliRun bare = CliRun.of("doctor", "--host-root", root.toString(), "-o", "json");
        Map<String, JsonNode> s = byStep(bare);
        assertThat(s.get("pci").path("result").asText()).isEqualTo("FAIL");
        assertThat(s.get("nvml").path("result").asText()).isEqualTo("SKIP");
        assertThat(bare.exitCode()).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void badInputIsAClearErrorNotAStackTrace() throws Exception {
        Path file = write("not-a-dir", "x");
        CliRun notDir = CliRun.of("doctor", "--host-root", file.toString());
        assertThat(notDir.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(notDir.err()).contains("--host-root " + file + ": not a directory").doesNotContain("Exception");
        CliRun kubeconfig = CliRun.of("doctor", "--no-host", "--kubeconfig", root.resolve("missing").toString());
        assertThat(kubeconfig.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(kubeconfig.err()).contains("not a readable file").doesNotContain("\tat ");
        Path garbage = write("kubeconfig", "{{{ not yaml");
        CliRun notKubeconfig = CliRun.of("doctor", "--no-host", "--kubeconfig", garbage.toString());
        assertThat(notKubeconfig.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(notKubeconfig.err()).contains("not a kubeconfig").doesNotContain("\tat ");
        assertThat(CliRun.of("doctor", "-o", "xml").err()).contains("--output must be table or json");
    }
}
