package dev.gpuop.node.toolkit;

import dev.gpuop.gpu.host.Distribution;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear error naming the file and the fix, and every file stays byte-identical. */
class BadInputTest {

    @TempDir
    Path root;

    @Test
    void anUnparseableConfigIsRefused() throws IOException {
        Path config = write("etc/containerd/config.toml", "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"\n");
        assertRefused(plain(config), config, "not valid TOML", "config dump");
    }

    @Test
    void aConfigVersionGpuopDoesNotKnowIsRefused() throws IOException {
        Path config = write("etc/containerd/config.toml", "version = 7\n");
        assertRefused(plain(config), config, "version 7 is not one gpuop knows", "upgrade gpuop");
    }

    /** Found by ContainerdTomlPropertyTest: 3.0 and 2^32 + 2 both passed for a version gpuop knows. */
    @Test
    void aVersionThatIsNotAWholeNumberOrOutOfRangeIsRefused() throws IOException {
        Path config = write("etc/containerd/config.toml", "version = 3.0\n");
        assertRefused(plain(config), config, "`version` is 3.0, not a whole number", "version = 3");
        Files.writeString(config, "version = 4294967298\n");
        assertRefused(plain(config), config, "version 4294967298 is not one gpuop knows", "upgrade gpuop");
    }

    /** Found by ContainerdTomlPropertyTest: a ClassCastException instead of a refusal naming the key. */
    @Test
    void listKeysOfTheWrongTypeAreRefusedByName() throws IOException {
        Path config = write("etc/containerd/config.toml", "version = 3\nimports = '/etc/containerd/conf.d'\n");
        ContainerdSetup two = new ContainerdSetup(Distribution.CONTAINERD, config, null, root.resolve("c.sock"),
            null, ContainerdVersion.parse("v2.1.4"));
        assertRefused(two, config, "`imports` is '/etc/containerd/conf.d', not a list of strings", "[\"/etc/cdi\"]");
        Files.writeString(config, "version = 3\n[plugins.'io.containerd.cri.v1.runtime']\ncdi_spec_dirs = 5\n");
        assertRefused(two, config, "`plugins.\"io.containerd.cri.v1.runtime\".cdi_spec_dirs` is 5", "list like");
    }

    /** Found by ContainerdTomlPropertyTest: a file that is not UTF-8 was refused as a permission problem. */
    @Test
    void aConfigThatIsNotUtf8IsRefusedAsSuchNotAsUnreadable() throws IOException {
        Path config = write("etc/containerd/config.toml", "");
        Files.write(config, new byte[] {'v', 'e', 'r', 's', 'i', 'o', 'n', '=', '2', '#', (byte) 0xe9, '\n'});
        assertRefused(plain(config), config, "not UTF-8 text", "iconv");
    }

    /** Found by ContainerdTomlPropertyTest: control characters from the file reached the message unescaped. */
    @Test
    void theParsersQuoteOfTheFileIsShownOnOnePrintableLine() throws IOException {
        Path config = write("etc/containerd/config.toml", "\u001b[2Jversion = 2\n");
        assertRefused(plain(config), config, "\\u001b", "config dump");
    }

    @Test
    void aVersionOneConfigIsRefusedWithTheMigrateCommand() throws IOException {
        Path config = write("etc/containerd/config.toml", "[plugins.cri]\n  sandbox_image = \"pause:3.6\"\n");
        assertRefused(plain(config), config, "version 1", "containerd config migrate");
    }

    @Test
    void aTemplateWithoutTheBaseIncludeIsRefused() throws IOException {
        Path dir = root.resolve("var/lib/rancher/rke2/agent/etc/containerd");
        ToolkitFixtures.install("seed-rke2.toml", dir.resolve("config.toml"));
        Path template = write("var/lib/rancher/rke2/agent/etc/containerd/config.toml.tmpl",
            ToolkitFixtures.text("fixtures/seed-rke2.toml"));
        ContainerdSetup setup = new ContainerdSetup(Distribution.RKE2, dir.resolve("config.toml"), template,
            Path.of("/run/k3s/containerd/containerd.sock"), null, ContainerdVersion.parse("1.7.27"));
        assertRefused(setup, template, "does not include {{ template \"base\" . }}", "at its top");
    }

    @Test
    void setAsDefaultThroughATemplateIsRefusedWithRke2sOwnSetting() throws IOException {
        Path dir = root.resolve("var/lib/rancher/rke2/agent/etc/containerd");
        ToolkitFixtures.install("custom-v2.toml", dir.resolve("config.toml"));
        ContainerdSetup setup = new ContainerdSetup(Distribution.RKE2, dir.resolve("config.toml"),
            dir.resolve("config.toml.tmpl"), Path.of("/run/k3s/containerd/containerd.sock"), null,
            ContainerdVersion.parse("1.7.27"));
        Map<String, String> before = ContainerdToolkitIT.snapshot(root);
        assertThatThrownBy(() -> installer(setup).install(ToolkitFixtures.settings(true)))
            .isInstanceOf(ToolkitException.class)
            .hasMessageContaining(dir.resolve("config.toml.tmpl").toString())
            .hasMessageContaining("default-runtime: nvidia")
            .hasMessageContaining("/etc/rancher/rke2/config.yaml");
        assertThat(ContainerdToolkitIT.snapshot(root)).isEqualTo(before);
    }

    @Test
    void aReadOnlyConfigDirIsRefusedBeforeAnyWrite() throws Exception {
        Path config = ToolkitFixtures.install("containerd24-default.toml",
            root.resolve("ro/etc/containerd/config.toml"));
        Path dir = config.getParent();
        boolean mounted = false;
        if (ContainerdBinaries.isRoot()) {
            mounted = run("mount", "--bind", dir.toString(), dir.toString())
                && run("mount", "-o", "remount,bind,ro", dir.toString());
            assumeTrue(mounted, "root, but cannot make a read-only bind mount here");
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        try {
            Map<String, String> before = ContainerdToolkitIT.snapshot(root);
            // containerd 2: a drop-in in conf.d plus the imports line; neither may be half-written
            ContainerdSetup setup = new ContainerdSetup(Distribution.CONTAINERD, config, null,
                root.resolve("c.sock"), null, ContainerdVersion.parse("v2.1.4"));
            assertThatThrownBy(() -> installer(setup).install(ToolkitFixtures.settings(false)))
                .isInstanceOf(ToolkitException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("nothing was changed")
                .hasMessageContaining("Fix: make " + dir);
            assertThat(ContainerdToolkitIT.snapshot(root)).isEqualTo(before);
        } finally {
            if (mounted) {
                run("umount", dir.toString());
            } else {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    @Test
    void uninstallLeavesAFileSomeoneChangedSinceInstallAlone() throws IOException {
        Path config = ToolkitFixtures.install("custom-v2.toml", root.resolve("etc/containerd/config.toml"));
        ToolkitInstaller installer = installer(plain(config));
        installer.install(ToolkitFixtures.settings(false));
        Files.writeString(config, Files.readString(config) + "# an admin's edit after install\n");
        Map<String, String> before = ContainerdToolkitIT.snapshot(root);
        assertThatThrownBy(installer::uninstall).isInstanceOf(ToolkitException.class)
            .hasMessageStartingWith(config + ": changed since gpuop wrote it")
            .hasMessageContaining(root.resolve("state").resolve(ToolkitState.FILE).toString());
        assertThat(ContainerdToolkitIT.snapshot(root)).isEqualTo(before);
    }

    @Test
    void aConfigContainerdRefusesToLoadIsRolledBackAcrossEveryFile() throws Exception {
        // a stand-in for a containerd whose `config dump` refuses what gpuop wrote (a tier below the real ITs)
        Path fake = write("bin/containerd", "#!/bin/sh\nif [ \"$1\" = --version ]; then "
            + "echo 'containerd github.com/containerd/containerd/v2 v2.1.4 x'; exit 0; fi\n"
            + "echo 'containerd: failed to load TOML: boom' >&2; exit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = ToolkitFixtures.install("custom-v3.toml", root.resolve("etc/containerd/config.toml"));
        Map<String, String> before = ContainerdToolkitIT.snapshot(root);
        ContainerdSetup setup = SetupDetector.detect(new SetupHints(config, root.resolve("c.sock"),
            Distribution.CONTAINERD, fake, root));
        assertThatThrownBy(() -> installer(setup).install(ToolkitFixtures.settings(false)))
            .isInstanceOf(ToolkitException.class)
            .hasMessageContaining("containerd refuses the new config (containerd: failed to load TOML: boom)")
            .hasMessageContaining("the previous files are back");
        assertThat(ContainerdToolkitIT.snapshot(root)).as("drop-in, imports line, conf.d and state all gone")
            .isEqualTo(before);
    }

    private void assertRefused(ContainerdSetup setup, Path file, String problem, String fix) throws IOException {
        Map<String, String> before = ContainerdToolkitIT.snapshot(root);
        assertThatThrownBy(() -> installer(setup).install(ToolkitFixtures.settings(false)))
            .isInstanceOf(ToolkitException.class)
            .hasMessageStartingWith(file.toString() + ": ")
            .hasMessageContaining(problem)
            .hasMessageContaining("Fix: ")
            .hasMessageContaining(fix);
        assertThat(ContainerdToolkitIT.snapshot(root)).as("every file as before").isEqualTo(before);
    }

    private ToolkitInstaller installer(ContainerdSetup setup) {
        return new ToolkitInstaller(setup, root.resolve("state"), false, Duration.ofSeconds(5));
    }

    private ContainerdSetup plain(Path config) {
        return new ContainerdSetup(Distribution.CONTAINERD, config, null, root.resolve("c.sock"), null,
            ContainerdVersion.parse("1.7.27"));
    }

    private Path write(String rel, String text) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
