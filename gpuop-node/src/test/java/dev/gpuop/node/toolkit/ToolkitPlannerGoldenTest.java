package dev.gpuop.node.toolkit;

import dev.gpuop.gpu.host.Distribution;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * Golden before/after files per config version and distribution: what install writes for each fixture, byte for
 * byte (the files under {@code expected/<case>/}, with the temp root shown as {@code @ROOT@}). Regenerate with
 * {@code -Dgpuop.golden.update=true} and read the diff before committing it.
 */
class ToolkitPlannerGoldenTest {

    record Case(String name, String fixture, Distribution dist, String config, String containerd,
                boolean setAsDefault) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String rke2 = "var/lib/rancher/rke2/agent/etc/containerd/config.toml";
        String k3s = "var/lib/rancher/k3s/agent/etc/containerd/config.toml";
        String plain = "etc/containerd/config.toml";
        return Stream.of(
            new Case("seed-rke2-v2", "seed-rke2.toml", Distribution.RKE2, rke2, "v1.7.27", false),
            new Case("seed-k3s-v2", "seed-k3s.toml", Distribution.K3S, k3s, "v1.7.27", false),
            new Case("k3s-v3-drop-in", "k3s-v3-rendered.toml", Distribution.K3S, k3s, "v2.1.4", true),
            new Case("containerd16-default", "containerd16-default.toml", Distribution.CONTAINERD, plain, "1.6.20",
                false),
            new Case("containerd17-default-as-default", "containerd16-default.toml", Distribution.CONTAINERD, plain,
                "1.7.27", true),
            new Case("custom-v2", "custom-v2.toml", Distribution.CONTAINERD, plain, "1.7.27", false),
            new Case("containerd24-default", "containerd24-default.toml", Distribution.CONTAINERD, plain, "v2.4.2",
                false),
            new Case("custom-v3", "custom-v3.toml", Distribution.CONTAINERD, plain, "v2.1.4", true));
    }

    @TempDir
    Path root;

    @ParameterizedTest
    @MethodSource("cases")
    void installWritesTheGoldenFilesAndASecondInstallNothing(Case c) throws IOException {
        Path config = ToolkitFixtures.install(c.fixture(), root.resolve(c.config()));
        String original = Files.readString(config);
        ContainerdSetup setup = setup(c, config);
        ToolkitPlan plan = ToolkitPlanner.install(setup, ToolkitFixtures.settings(c.setAsDefault()));

        List<String> changed = new ArrayList<>();
        for (FileChange change : plan.changes()) {
            String rel = root.relativize(change.path()).toString();
            changed.add(rel);
            String expected = "expected/" + c.name() + "/" + rel;
            String actual = change.after().replace(root.toString(), "@ROOT@");
            if (Boolean.getBoolean("gpuop.golden.update")) {
                Path src = Path.of("src/test/resources" + ToolkitFixtures.BASE + expected);
                Files.createDirectories(src.getParent());
                Files.writeString(src, actual);
            } else {
                assertThat(actual).as(expected).isEqualTo(ToolkitFixtures.text(expected));
            }
            if (rel.endsWith(".toml")) {
                TomlParseResult parsed = Toml.parse(change.after());
                assertThat(parsed.errors()).as("tomlj parses " + rel).isEmpty();
            }
            SafeFileWriter.write(change.path(), change.after());
        }
        assertThat(changed).as("files written").isNotEmpty();
        assertThat(ToolkitPlanner.install(setup, ToolkitFixtures.settings(c.setAsDefault())).isNoop())
            .as("a second install changes nothing").isTrue();
        String now = Files.readString(config);
        if (!c.dist().rendersConfig()) {
            original.lines().filter(l -> l.strip().startsWith("#"))
                .forEach(comment -> assertThat(now).as("comment kept").contains(comment.strip()));
        } else {
            assertThat(now).as("K3s/RKE2's generated config is never written").isEqualTo(original);
        }
    }

    static ContainerdSetup setup(Case c, Path config) {
        Path template = c.dist().rendersConfig() ? SetupDetector.chooseTemplate(config.getParent(), config) : null;
        return new ContainerdSetup(c.dist(), config, template, Path.of(c.dist().containerdSocket()), null,
            ContainerdVersion.parse(c.containerd()));
    }
}
