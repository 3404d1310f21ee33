package dev.gpuop.node.toolkit;

import dev.gpuop.gpu.host.Distribution;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import dev.gpuop.node.validation.StageResult;
import dev.gpuop.node.validation.ToolkitStage;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * install against a real containerd, for the seed's RKE2 and K3s configs, the binary's own stock config, and
 * hand-written ones (comments, registry mirrors, a custom runtime): containerd loads the result and reports the
 * handlers over CRI; a second install writes nothing; uninstall leaves every file byte-identical to before.
 */
class ContainerdToolkitIT {

    static final String RUNTIME = "/usr/bin/nvidia-container-runtime";

    record Scenario(String name, String fixture, Distribution dist, String config) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        String rke2 = "var/lib/rancher/rke2/agent/etc/containerd/config.toml";
        String k3s = "var/lib/rancher/k3s/agent/etc/containerd/config.toml";
        String plain = "etc/containerd/config.toml";
        List<Scenario> scenarios = List.of(
            new Scenario("seed-rke2", "seed-rke2.toml", Distribution.RKE2, rke2),
            new Scenario("seed-k3s", "seed-k3s.toml", Distribution.K3S, k3s),
            new Scenario("stock-default", null, Distribution.CONTAINERD, plain),
            new Scenario("custom-v2", "custom-v2.toml", Distribution.CONTAINERD, plain),
            new Scenario("custom-v3", "custom-v3.toml", Distribution.CONTAINERD, plain),
            new Scenario("k3s-v3-drop-in", "k3s-v3-rendered.toml", Distribution.K3S, k3s));
        return ContainerdBinaries.kinds().stream().flatMap(kind -> scenarios.stream()
            .filter(s -> kind.equals("containerd-2") || !"custom-v3.toml".equals(s.fixture()))
            .filter(s -> kind.equals("containerd-2") || !s.name().equals("k3s-v3-drop-in"))
            .map(s -> Arguments.of(kind, s)));
    }

    @TempDir
    Path root;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void installLoadsInContainerdAndUninstallRestoresEveryByte(String kind, Scenario s) throws Exception {
        Path binary = ContainerdBinaries.require(kind);
        Path host = root.resolve("host");
        Path config = host.resolve(s.config());
        if (s.fixture() == null) {
            Files.createDirectories(config.getParent());
            Files.write(config, new ProcessBuilder(binary.toString(), "config", "default").start().getInputStream()
                .readAllBytes());
        } else {
            ToolkitFixtures.install(s.fixture(), config);
        }
        Map<String, String> before = snapshot(host);
        ContainerdSetup setup = SetupDetector.detect(new SetupHints(config, null, s.dist(), binary, host));
        ToolkitSettings settings = new ToolkitSettings("nvidia", RUNTIME, null, true,
            root.resolve("cdi").toString(), false, ToolkitSettings.RUNC_V2);
        ToolkitInstaller installer = new ToolkitInstaller(setup, root.resolve("state"), false, Duration.ofSeconds(30));

        ToolkitResult first = installer.install(settings);
        assertThat(first.written()).as("install wrote").isNotEmpty();
        Map<String, String> installed = snapshot(host);
        assertThat(installer.install(settings).written()).as("a second install writes nothing").isEmpty();
        assertThat(snapshot(host)).as("files after a second install").isEqualTo(installed);

        try (TestContainerd containerd = TestContainerd.start(binary, effectiveConfig(setup, first),
            root.resolve("run"))) {
            JsonNode cri = containerd.criConfig();
            JsonNode runtimes = cri.path("containerd").path("runtimes");
            assertThat(containerd.handlers()).as("handlers containerd loaded").contains("runc", "nvidia",
                "nvidia-cdi");
            JsonNode runc = runtimes.path("runc").path("options");
            for (String handler : List.of("nvidia", "nvidia-cdi")) {
                JsonNode options = runtimes.path(handler).path("options");
                assertThat(options.path("BinaryName").asText()).as(handler + " BinaryName").isEqualTo(RUNTIME);
                if (!(s.name().equals("seed-rke2") && handler.equals("nvidia"))) {
                    // RKE2's own nvidia handler (the seed's) has no SystemdCgroup; gpuop leaves it to RKE2
                    assertThat(options.path("SystemdCgroup").asBoolean()).as(handler + " SystemdCgroup as runc")
                        .isEqualTo(runc.path("SystemdCgroup").asBoolean());
                }
                assertThat(runtimes.path(handler).path("runtimeType").asText()).isEqualTo("io.containerd.runc.v2");
            }
            if (kind.equals("containerd-2")) {
                // CDI is always on in 2.x; gpuop adds its spec dir where it may write the key (not via a template)
                assertThat(cri.path("cdiSpecDirs").size()).as("CDI spec dirs").isPositive();
                if (first.strategy() != ToolkitPlan.Strategy.TEMPLATE) {
                    assertThat(cri.path("cdiSpecDirs").toString()).contains(root.resolve("cdi").toString());
                }
            }
            if (kind.equals("containerd-1")) {
                assertThat(first.notes()).as("1.6 has no CDI in its CRI").anyMatch(n -> n.contains("no CDI"));
            }
            // the validator's toolkit stage asks this containerd the way the node agent does
            ContainerdView view = ContainerdView.ask(containerd.socket, Duration.ofSeconds(5));
            assertThat(ToolkitStage.check(view, new ToolkitStage.Expected("nvidia", null, null), null).outcome())
                .as(view.toString()).isEqualTo(StageResult.Outcome.PASSED);
            StageResult withCdi = ToolkitStage.check(view, new ToolkitStage.Expected("nvidia",
                root.resolve("cdi").toString(), null), null);
            assertThat(withCdi.outcome()).isEqualTo(StageResult.Outcome.FAILED);
            if (kind.equals("containerd-1")) {
                assertThat(withCdi.reason()).contains("enable_cdi = false");
            } else if (first.strategy() != ToolkitPlan.Strategy.TEMPLATE) {
                assertThat(withCdi.reason()).as("spec dir loaded, spec not written").contains("no CDI spec in");
            }
        }

        assertThat(installer.uninstall().written()).as("uninstall wrote").isNotEmpty();
        assertThat(snapshot(host)).as("every file after uninstall").isEqualTo(before);
        assertThat(root.resolve("state").resolve(ToolkitState.FILE)).doesNotExist();
    }

    /** The validator's toolkit stage against a containerd whose config has no nvidia handler. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"containerd-1", "containerd-2"})
    void theToolkitStageFailsNamingTheHandlersContainerdLoaded(String kind) throws Exception {
        Path binary = ContainerdBinaries.require(kind);
        String stock = new String(new ProcessBuilder(binary.toString(), "config", "default").start().getInputStream()
            .readAllBytes(), StandardCharsets.UTF_8);
        try (TestContainerd containerd = TestContainerd.start(binary, stock, root.resolve("run"))) {
            ContainerdView view = ContainerdView.ask(containerd.socket, Duration.ofSeconds(5));
            assertThat(view.error()).isNull();
            assertThat(view.version()).isNotBlank();
            StageResult r = ToolkitStage.check(view, new ToolkitStage.Expected("nvidia", null, null), null);
            assertThat(r.outcome()).isEqualTo(StageResult.Outcome.FAILED);
            assertThat(r.reason()).contains("no runtime handler 'nvidia'").contains("runc");
            // gpuop toolkit status prints the same view in one line
            assertThat(CriSummary.of(containerd.socket)).startsWith("containerd " + view.version() + ", handlers [")
                .contains("runc").contains(", CDI " + (view.enableCdi() ? "on" : "off"));
        }
        ContainerdView gone = ContainerdView.ask(root.resolve("run/containerd.sock"), Duration.ofSeconds(2));
        assertThat(gone.error()).as("containerd stopped").isNotNull();
    }

    /** What containerd reads: the config file, or what K3s/RKE2 would render from the template. */
    static String effectiveConfig(ContainerdSetup setup, ToolkitResult result) throws IOException {
        String config = Files.readString(setup.config());
        if (result.strategy() == ToolkitPlan.Strategy.TEMPLATE) {
            String rendered = TemplateFile.render(Files.readString(setup.template()), TemplateFile.stripBlock(config));
            assertThat(rendered).as("renderable template").isNotNull();
            return rendered;
        }
        return config;
    }

    /** Every file under a dir, by relative path, with its content. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                String rel = dir.relativize(p).toString();
                files.put(rel + (Files.isDirectory(p) ? "/" : ""),
                    Files.isDirectory(p) ? "" : new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
            }
        }
        return files;
    }
}
