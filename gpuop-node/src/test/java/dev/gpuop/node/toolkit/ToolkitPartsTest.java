package dev.gpuop.node.toolkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.electronwill.nightconfig.core.CommentedConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small pure pieces: imports lines, template blocks, versions, the socket owner from /proc. */
class ToolkitPartsTest {

    @TempDir
    Path dir;

    @Test
    void importsLineEditsOneLineAndKeepsTheRestByteForByte() {
        String text = "# mine\nversion = 2\nimports = ['/a/*.toml']  # keep\n\n[grpc]\n  address = \"x\"\n";
        assertThat(ImportsLine.add(text, ContainerdToml.parse(text, dir), "/etc/containerd/conf.d/*.toml"))
            .isEqualTo("# mine\nversion = 2\nimports = ['/a/*.toml', \"/etc/containerd/conf.d/*.toml\"] # keep\n\n"
                + "[grpc]\n  address = \"x\"\n");
        String noImports = "version = 3\n\n[grpc]\n  address = \"x\"\n";
        assertThat(ImportsLine.add(noImports, ContainerdToml.parse(noImports, dir), "/d/*.toml"))
            .isEqualTo("version = 3\nimports = [\"/d/*.toml\"]\n\n[grpc]\n  address = \"x\"\n");
        String empty = "imports = []\nversion = 2\n";
        assertThat(ImportsLine.add(empty, ContainerdToml.parse(empty, dir), "/d/*.toml"))
            .isEqualTo("imports = [\"/d/*.toml\"]\nversion = 2\n");
    }

    /** Found by ContainerdTomlPropertyTest: the line edit put the new entry into the comment. */
    @Test
    void aBracketInTheImportsLinesCommentDoesNotSwallowTheNewEntry() {
        String text = "version = 3\nimports = [\"/a/*.toml\"] # see [docs]\n";
        CommentedConfig edited = ContainerdToml.parse(ImportsLine.add(text, ContainerdToml.parse(text, dir),
            "/d/*.toml"), dir);
        assertThat(edited.<List<String>>get("imports")).containsExactly("/a/*.toml", "/d/*.toml");
    }

    @Test
    void importsCoverAFileThroughAGlobRelativeToTheConfigDir() {
        Path config = dir.resolve("config.toml");
        CommentedConfig relative = ContainerdToml.parse("imports = [\"conf.d/*.toml\"]\n", config);
        assertThat(ImportsLine.covers(relative, config, dir.resolve("conf.d/99-nvidia.toml"))).isTrue();
        assertThat(ImportsLine.covers(relative, config, dir.resolve("other/99-nvidia.toml"))).isFalse();
        CommentedConfig none = ContainerdToml.parse("version = 2\n", config);
        assertThat(ImportsLine.covers(none, config, dir.resolve("conf.d/99-nvidia.toml"))).isFalse();
    }

    @Test
    void templateBlocksAreReplacedNotStackedAndStrippedFromTheRenderedConfig() {
        String user = "{{- template \"base\" . -}}\n[plugins.\"x\"]\n  a = 1\n";
        assertThat(TemplateFile.hasBaseInclude(user)).isTrue();
        assertThat(TemplateFile.hasBaseInclude("version = 2\n")).isFalse();
        String once = TemplateFile.withBlock(user, TemplateFile.block("[t]\nk = 1\n"));
        String twice = TemplateFile.withBlock(once, TemplateFile.block("[t]\nk = 2\n"));
        assertThat(twice).startsWith(user).contains("k = 2").doesNotContain("k = 1");
        assertThat(TemplateFile.stripBlock(twice)).isEqualTo(user);
        assertThat(TemplateFile.withBlock(null, "")).isNull();
        assertThat(TemplateFile.render(once, "version = 2\n")).startsWith("version = 2\n\n[plugins.\"x\"]");
        assertThat(TemplateFile.render("{{ template \"base\" . }}\n{{ if .X }}y{{ end }}", "v")).isNull();
    }

    @Test
    void containerdVersionsFromBinaryAndCri() {
        assertThat(ContainerdVersion.parse("v2.4.2")).isEqualTo(new ContainerdVersion(2, 4, "v2.4.2"));
        assertThat(ContainerdVersion.parse("1.6.20~ds1").mergesDropIns()).isFalse();
        assertThat(CdiSupport.of(ContainerdVersion.parse("1.7.27"), ConfigVersion.V2))
            .isEqualTo(CdiSupport.OFF_BY_DEFAULT);
        assertThat(CdiSupport.of(null, ConfigVersion.V3)).isEqualTo(CdiSupport.ON_BY_DEFAULT);
        assertThat(ContainerdVersion.parse("no version here")).isNull();
    }

    @Test
    void theSocketOwnerIsFoundThroughProcNetUnixAndTheFds() throws IOException {
        Path proc = dir.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/unix"), String.join("\n",
            "Num       RefCount Protocol Flags    Type St Inode Path",
            "0000000000000000: 00000003 00000000 00000000 0001 03 11111 /run/containerd/containerd.sock",
            "0000000000000000: 00000002 00000000 00010000 0001 01 22222 /run/containerd/containerd.sock", ""));
        Files.createDirectories(proc.resolve("4242/fd"));
        Files.createSymbolicLink(proc.resolve("4242/fd/7"), Path.of("socket:[22222]"));
        Files.createDirectories(proc.resolve("77/fd"));
        Files.createSymbolicLink(proc.resolve("77/fd/3"), Path.of("socket:[11111]"));
        Files.writeString(proc.resolve("4242/cgroup"), "0::/system.slice/containerd.service\n");
        assertThat(SocketOwner.of(Path.of("/run/containerd/containerd.sock"), proc)).hasValue(4242);
        assertThat(SocketOwner.systemdUnit(4242, proc)).isEqualTo("containerd.service");
        assertThat(SocketOwner.of(Path.of("/run/other.sock"), proc)).isEmpty();
    }

    @Test
    void inAPodOfItsOwnNetworkTheSocketIsFoundInTheHostsListThroughPid1() throws IOException {
        // the toolkit step's pod: hostPID, but its own network namespace, whose net/unix lacks the host's sockets
        Path proc = dir.resolve("proc-pod");
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/unix"), "Num       RefCount Protocol Flags    Type St Inode Path\n");
        Files.createDirectories(proc.resolve("1/net"));
        Files.writeString(proc.resolve("1/net/unix"), String.join("\n",
            "Num       RefCount Protocol Flags    Type St Inode Path",
            "0000000000000000: 00000002 00000000 00010000 0001 01 33333 /run/k3s/containerd/containerd.sock", ""));
        Files.createDirectories(proc.resolve("900/fd"));
        Files.createSymbolicLink(proc.resolve("900/fd/5"), Path.of("socket:[33333]"));
        assertThat(SocketOwner.of(Path.of("/run/k3s/containerd/containerd.sock"), proc)).hasValue(900);
    }

    @Test
    void handlerTablesAreDeepCopiesSoTheSourceRuntimeIsNeverChanged() {
        Path file = dir.resolve("c.toml");
        CommentedConfig source = ContainerdToml.parse("""
            version = 2
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
              SystemdCgroup = true
            """, file);
        RuntimeEdits edits = RuntimeEdits.plan(source, ConfigVersion.V2, ToolkitFixtures.settings(false),
            CdiSupport.OFF_BY_DEFAULT);
        assertThat(edits.tables()).hasSize(2);
        assertThat(source.<Object>get(List.of("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes",
            "runc", "options", "BinaryName"))).as("runc untouched").isNull();
    }
}
