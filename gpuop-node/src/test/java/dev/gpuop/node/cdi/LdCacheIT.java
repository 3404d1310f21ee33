package dev.gpuop.node.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** This machine's real /etc/ld.so.cache read by gpuop agrees with glibc's own {@code ldconfig -p}, entry by entry. */
class LdCacheIT {

    private static final Pattern LINE = Pattern.compile("^\\s*(\\S+) \\(([^)]*)\\)(?: OS ABI: [^=]*)? => (\\S+)$");

    @Test
    void agreesWithLdconfig() throws Exception {
        Path cache = Path.of("/etc/ld.so.cache");
        Path ldconfig = List.of(Path.of("/sbin/ldconfig"), Path.of("/usr/sbin/ldconfig")).stream()
            .filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(Files.exists(cache) && ldconfig != null, "needs glibc's /etc/ld.so.cache and ldconfig");
        Process p = new ProcessBuilder(ldconfig.toString(), "-p").start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
            .filter(l -> l.startsWith("\t")).toList();
        assertThat(p.waitFor()).isZero();
        List<LdCache.Entry> entries = LdCache.read(cache);
        assertThat(entries).hasSameSizeAs(lines);
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = LINE.matcher(lines.get(i));
            assertThat(m.matches()).as(lines.get(i)).isTrue();
            assertThat(entries.get(i).soname()).isEqualTo(m.group(1));
            assertThat(entries.get(i).path()).isEqualTo(m.group(3));
            assertThat(entries.get(i).is64BitElf()).as(lines.get(i)).isEqualTo(m.group(2).contains("64"));
        }
    }
}
