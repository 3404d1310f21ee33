package dev.gpuop.node.toolkit;

import static dev.gpuop.testsupport.PropertyCheck.charsOf;
import static dev.gpuop.testsupport.PropertyCheck.elements;
import static dev.gpuop.testsupport.PropertyCheck.forAll;
import static dev.gpuop.testsupport.PropertyCheck.frequency;
import static dev.gpuop.testsupport.PropertyCheck.ints;
import static dev.gpuop.testsupport.PropertyCheck.just;
import static dev.gpuop.testsupport.PropertyCheck.oneOf;
import static dev.gpuop.testsupport.PropertyCheck.strings;
import static dev.gpuop.testsupport.PropertyCheck.weight;
import static org.assertj.core.api.Assertions.assertThat;

import com.electronwill.nightconfig.core.CommentedConfig;
import dev.gpuop.gpu.host.Distribution;
import dev.gpuop.testsupport.PropertyCheck;
import dev.gpuop.testsupport.PropertyCheck.Gen;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

/**
 * Bad input at volume for the toolkit's containerd config edit ({@link ToolkitInstaller#install}, through the
 * planner, {@link ContainerdToml} and {@link SafeFileWriter} on real files): for random garbage and for mutated
 * stock and hand-written configs (truncated, tables declared twice, wrong types for the keys gpuop reads, bad
 * escapes, control characters, bytes that are not UTF-8), install either leaves an effective config that parses
 * again, keeps an integer {@code version} and has the nvidia handler, and uninstall then restores every byte; or it
 * refuses with a {@link ToolkitException} that names the file, on one printable line, with every file byte for byte
 * as it was. Any other exception (a ClassCastException from a key of the wrong type, NightConfig's own exceptions)
 * fails the property.
 */
class ContainerdTomlPropertyTest {

    private static final int TRIES = 10_000;
    private static final List<String> FIXTURES = List.of("containerd16-default.toml", "containerd24-default.toml",
        "custom-v2.toml", "custom-v3.toml", "k3s-v3-rendered.toml", "seed-k3s.toml", "seed-rke2.toml");
    private static final Map<String, String> FIXTURE_TEXT = new TreeMap<>();

    /** The product writes with fsync; on tmpfs that costs nothing, which keeps 10,000 installs in seconds. */
    private static Path root;

    /** Where containerd runs and which release: the four ways install plans (in place, drop-in, template). */
    enum Host {
        CONTAINERD_17(Distribution.CONTAINERD, "1.7.27"),
        CONTAINERD_21(Distribution.CONTAINERD, "v2.1.4"),
        K3S_17(Distribution.K3S, "v1.7.27-k3s1"),
        RKE2_21(Distribution.RKE2, "v2.1.4-k3s1");

        final Distribution dist;
        final String containerd;

        Host(Distribution dist, String containerd) {
            this.dist = dist;
            this.containerd = containerd;
        }

        Path config() {
            return root.resolve(dist.containerdConfig().substring(1));
        }

        ContainerdSetup setup() {
            Path config = config();
            Path template = dist.rendersConfig() ? SetupDetector.chooseTemplate(config.getParent(), config) : null;
            return new ContainerdSetup(dist, config, template, root.resolve("run/containerd.sock"), null,
                ContainerdVersion.parse(containerd));
        }
    }

    /** One generated input: the host, the config's bytes and the settings. */
    record Case(Host host, byte[] config, ToolkitSettings settings) {
        @Override
        public String toString() {
            return host + " " + settings + "\n---\n" + printable(config) + "\n---";
        }
    }

    @BeforeAll
    static void createRoot() throws IOException {
        Path shm = Path.of("/dev/shm");
        root = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "gpuop-toml-prop")
            : Files.createTempDirectory("gpuop-toml-prop");
        for (String f : FIXTURES) {
            FIXTURE_TEXT.put(f, ToolkitFixtures.text("fixtures/" + f));
        }
    }

    @AfterAll
    static void removeRoot() throws IOException {
        clear();
        Files.deleteIfExists(root);
    }

    @Test
    void garbageIsRefusedByNameWithEveryFileUntouched() {
        Gen<byte[]> garbage = oneOf(
            strings(charsOf("[]{}\"'=.,#\\\n\t abcvrsion0123456789-_\u0000\u001b\u00fc\u2028\ud800"), 0, 200)
                .map(s -> s.getBytes(StandardCharsets.UTF_8)),
            r -> {
                byte[] b = new byte[r.nextInt(120)];
                r.nextBytes(b);
                return b;
            },
            strings(charsOf("[]=\"'.\nabcpluginsruntimesnvidiaversion23 "), 0, 120)
                .map(s -> ("version = 2\n" + s).getBytes(StandardCharsets.UTF_8)));
        Outcomes seen = run(garbage);
        assertThat(seen.refused).as("garbage is mostly refused").isGreaterThanOrEqualTo(seen.tries / 2);
    }

    @Test
    void mutatedConfigsAreEditedCorrectlyOrRefusedByNameWithEveryFileUntouched() {
        Gen<byte[]> mutated = r -> {
            String text = elements(FIXTURES).next(r);
            String body = FIXTURE_TEXT.get(text);
            int n = ints(1, 3).next(r);
            for (int i = 0; i < n; i++) {
                body = MUTATIONS.next(r).apply(body, r);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            return r.nextInt(8) == 0 ? invalidUtf8(bytes, r) : bytes;
        };
        Outcomes seen = run(mutated);
        // a generator that only ever produced broken files (or only harmless ones) would prove little
        assertThat(seen.accepted).as("mutations install gpuop's handler").isGreaterThanOrEqualTo(seen.tries / 5);
        assertThat(seen.refused).as("mutations are refused").isGreaterThanOrEqualTo(seen.tries / 5);
    }

    /** How often each outcome came up. */
    static final class Outcomes {
        int tries;
        int accepted;
        int refused;
    }

    private Outcomes run(Gen<byte[]> configs) {
        Gen<ToolkitSettings> settings = r -> new ToolkitSettings("nvidia",
            r.nextBoolean() ? "/usr/bin/nvidia-container-runtime" : null, null, r.nextInt(4) != 0,
            r.nextBoolean() ? "/var/run/cdi" : "/run/gpuop/cdi", r.nextInt(4) == 0, ToolkitSettings.RUNC_V2);
        Gen<Case> cases = r -> new Case(elements(Host.values()).next(r), configs.next(r), settings.next(r));
        Outcomes seen = new Outcomes();
        seen.tries = forAll(TRIES, 20_251_116L, cases, c -> {
            if (installOrRefuse(c)) {
                seen.accepted++;
            } else {
                seen.refused++;
            }
        });
        return seen;
    }

    /** The property for one case: true when install went through, false when it refused. */
    private static boolean installOrRefuse(Case c) {
        clear();
        Path config = c.host().config();
        // the fixtures' @DIR@ is the config's directory; Latin-1 keeps every other byte as generated
        write(config, new String(c.config(), StandardCharsets.ISO_8859_1)
            .replace("@DIR@", config.getParent().toString()).getBytes(StandardCharsets.ISO_8859_1));
        ContainerdSetup setup = c.host().setup();
        Map<String, String> before = snapshot();
        ToolkitInstaller installer = new ToolkitInstaller(setup, root.resolve("state"), false, Duration.ofSeconds(1));
        ToolkitResult result;
        try {
            result = installer.install(c.settings());
        } catch (ToolkitException e) {
            assertThat(e.getClass()).isEqualTo(ToolkitException.class);
            assertThat(e.file()).as("the file named").isNotNull();
            assertThat(e.file().toAbsolutePath().startsWith(root)).as("names a file of this host").isTrue();
            assertThat(e.getMessage()).startsWith(e.file() + ": ").doesNotContain("\tat ")
                .doesNotContainPattern("\\p{Cntrl}")
                .as("every file here is readable: a refusal must say what is wrong with its content")
                .doesNotContain("read access");
            assertThat(snapshot()).as("every file byte for byte as before").isEqualTo(before);
            return false;
        }
        assertEffectiveConfigHasTheHandler(setup, result, c);
        installer.uninstall();
        Map<String, String> after = snapshot();
        // install makes its state directory, and uninstall leaves it (empty) for the next install
        after.remove("state/");
        assertThat(after).as("uninstall puts every byte back").isEqualTo(before);
        return true;
    }

    private static void assertEffectiveConfigHasTheHandler(ContainerdSetup setup, ToolkitResult result, Case c) {
        String rootText = read(setup.config());
        for (Path written : result.written()) {
            if (written.toString().endsWith(".toml") && Files.exists(written)) {
                String text = read(written);
                ContainerdToml.parse(text, written);
                // tomlj is strict TOML 1.0 (NightConfig lets a table declared twice pass): valid in, valid out
                if (!Toml.parse(text).errors().isEmpty()) {
                    assertThat(Toml.parse(new String(c.config(), StandardCharsets.UTF_8)).errors())
                        .as("the input was valid TOML, so " + written + " must be").isNotEmpty();
                }
            }
        }
        CommentedConfig effective;
        ConfigVersion version;
        switch (result.strategy()) {
            case IN_PLACE -> {
                effective = ContainerdToml.parse(rootText, setup.config());
                version = integerVersion(effective);
            }
            case DROP_IN -> {
                CommentedConfig base = ContainerdToml.parse(TemplateFile.stripBlock(rootText), setup.config());
                version = integerVersion(base);
                Path dropIn = setup.dropIn(version);
                assertThat(ImportsLine.covers(base, setup.config(), dropIn)).as("the config imports " + dropIn)
                    .isTrue();
                effective = ContainerdToml.parse(read(dropIn), dropIn);
                assertThat(integerVersion(effective)).as("drop-in version").isEqualTo(version);
            }
            case TEMPLATE -> {
                // no template written: every handler was already in what K3s renders
                String base = TemplateFile.stripBlock(rootText);
                String render = Files.exists(setup.template()) ? TemplateFile.render(read(setup.template()), base)
                    : base;
                assertThat(render).as("K3s can render the template").isNotNull();
                effective = ContainerdToml.parse(render, setup.template());
                version = integerVersion(effective);
            }
            default -> throw new IllegalStateException(String.valueOf(result.strategy()));
        }
        for (RuntimeHandler h : c.settings().handlers()) {
            assertThat(ContainerdToml.table(effective, ContainerdToml.path(version.runtimes(), h.name())))
                .as("handler " + h.name() + " in the effective config").isNotNull();
        }
    }

    /** containerd decodes {@code version} into an int: 2.9 or 2^32 + 2 must not pass for 2. */
    private static ConfigVersion integerVersion(CommentedConfig config) {
        Object v = config.get("version");
        assertThat(v).as("version").isInstanceOfAny(Integer.class, Long.class);
        return ConfigVersion.of(((Number) v).longValue(), Path.of("config.toml"));
    }

    // ---- mutations of a valid config ------------------------------------------------------------------------

    /** One edit of a config's text. */
    @FunctionalInterface
    interface Mutation {
        String apply(String text, Random r);
    }

    private static final List<String> KNOWN_KEYS = List.of("version", "imports", "runtime_type",
        "default_runtime_name", "enable_cdi", "cdi_spec_dirs", "BinaryName", "SystemdCgroup", "container_annotations",
        "options", "containerd", "runtimes", "runc", "plugins", "snapshotter", "root");
    private static final Gen<String> WRONG_VALUES = elements("\"2\"", "[2]", "2.5", "3.0", "true", "{}", "-1", "0",
        "1", "7", "4294967298", "99999999999999999999", "\"\"", "''", "[1, \"a\"]", "{ a = 1 }", "[[]]", "\"x\"",
        "'/etc/cdi'", "[\"/etc/cdi\", 5]", "1979-05-27T07:32:00Z", "inf", "nan", "\"\\uD800\"", "\"\\x41\"",
        "\"\\u00\"", "\"a\\qb\"", "[\"]\"]", "\"\u0000\"");
    private static final Gen<String> STRANGE_TEXT = strings(charsOf(
        "[]{}\"'=.,#\\\n abc\u0000\u0007\u007f\u00fc\u00e9\u2028\u202e\ufeff\ufffd\ud800\udc00"), 1, 12);

    /** Each mutation as often as its weight: type errors in the keys gpuop reads matter most. */
    private static final Gen<Mutation> MUTATIONS = frequency(List.of(
        mutation(3, ContainerdTomlPropertyTest::truncate),
        mutation(3, ContainerdTomlPropertyTest::duplicateTable),
        mutation(8, ContainerdTomlPropertyTest::wrongValue),
        mutation(4, ContainerdTomlPropertyTest::insertKnownKey),
        mutation(3, ContainerdTomlPropertyTest::insertUnderATable),
        mutation(2, ContainerdTomlPropertyTest::deleteLine),
        mutation(2, ContainerdTomlPropertyTest::swapLines),
        mutation(3, ContainerdTomlPropertyTest::insertStrange),
        mutation(3, ContainerdTomlPropertyTest::commentALine),
        mutation(1, (t, r) -> t.replace("\n", "\r\n")),
        mutation(1, (t, r) -> "\ufeff" + t)));

    private static PropertyCheck.Weighted<Mutation> mutation(int weight, Mutation m) {
        return weight(weight, just(m));
    }

    /** The indexes of the lines that open a table ({@code [plugins...]}). */
    private static List<Integer> headerLines(List<String> lines) {
        List<Integer> headers = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("[")) {
                headers.add(i);
            }
        }
        return headers;
    }

    private static String truncate(String t, Random r) {
        return t.substring(0, r.nextInt(t.length() + 1));
    }

    private static String duplicateTable(String t, Random r) {
        List<String> lines = lines(t);
        List<Integer> headers = headerLines(lines);
        if (headers.isEmpty()) {
            return t;
        }
        int h = headers.get(r.nextInt(headers.size()));
        int end = h + 1;
        while (end < lines.size() && !lines.get(end).strip().startsWith("[")) {
            end++;
        }
        List<String> copy = new ArrayList<>(lines.subList(h, r.nextBoolean() ? end : h + 1));
        lines.addAll(r.nextBoolean() ? lines.size() : end, copy);
        return String.join("\n", lines) + "\n";
    }

    /** The value of a line {@code key = value} whose key gpuop reads, replaced by one of the wrong type. */
    private static String wrongValue(String t, Random r) {
        List<String> lines = lines(t);
        List<Integer> known = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String key = lines.get(i).strip().split("\\s*=", 2)[0];
            if (lines.get(i).contains("=") && KNOWN_KEYS.contains(key)) {
                known.add(i);
            }
        }
        if (known.isEmpty()) {
            return insertKnownKey(t, r);
        }
        int i = known.get(r.nextInt(known.size()));
        String line = lines.get(i);
        lines.set(i, line.substring(0, line.indexOf('=') + 1) + " " + WRONG_VALUES.next(r));
        return String.join("\n", lines) + "\n";
    }

    /** A known key (or a table's name used as a key) with a value of any type, anywhere. */
    private static String insertKnownKey(String t, Random r) {
        List<String> lines = lines(t);
        String key = elements(KNOWN_KEYS).next(r);
        String value = r.nextBoolean() ? WRONG_VALUES.next(r) : elements("2", "3", "4", "[\"/etc/cdi\"]",
            "\"runc\"", "\"nvidia\"", "[\"conf.d/*.toml\"]", "false").next(r);
        lines.add(r.nextInt(lines.size() + 1), key + " = " + value);
        return String.join("\n", lines) + "\n";
    }

    /** A known key with a value of any type as the first key of a table: the table's own keys, mistyped. */
    private static String insertUnderATable(String t, Random r) {
        List<String> lines = lines(t);
        List<Integer> headers = headerLines(lines);
        if (headers.isEmpty()) {
            return insertKnownKey(t, r);
        }
        lines.add(headers.get(r.nextInt(headers.size())) + 1, elements(KNOWN_KEYS).next(r) + " = "
            + WRONG_VALUES.next(r));
        return String.join("\n", lines) + "\n";
    }

    private static String deleteLine(String t, Random r) {
        List<String> lines = lines(t);
        if (!lines.isEmpty()) {
            lines.remove(r.nextInt(lines.size()));
        }
        return String.join("\n", lines) + "\n";
    }

    private static String swapLines(String t, Random r) {
        List<String> lines = lines(t);
        if (lines.size() > 1) {
            java.util.Collections.swap(lines, r.nextInt(lines.size()), r.nextInt(lines.size()));
        }
        return String.join("\n", lines) + "\n";
    }

    private static String insertStrange(String t, Random r) {
        int at = r.nextInt(t.length() + 1);
        return t.substring(0, at) + STRANGE_TEXT.next(r) + t.substring(at);
    }

    /** Admins comment their configs; a comment may hold anything, brackets included. */
    private static String commentALine(String t, Random r) {
        List<String> lines = lines(t);
        if (lines.isEmpty()) {
            return t;
        }
        int i = r.nextInt(lines.size());
        lines.set(i, lines.get(i) + " # " + elements("keep]", "see [docs]", "x = 1", "\"", "'", "]]", "#").next(r));
        return String.join("\n", lines) + "\n";
    }

    /** Bytes that are not UTF-8 (a lone continuation, an overlong form, an encoded surrogate, 0xFF). */
    private static byte[] invalidUtf8(byte[] bytes, Random r) {
        List<byte[]> bad = List.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc3, 0x28},
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xc0, (byte) 0xaf},
            new byte[] {(byte) 0x80});
        int at = r.nextInt(bytes.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.writeBytes(bad.get(r.nextInt(bad.size())));
        out.write(bytes, at, bytes.length - at);
        return out.toByteArray();
    }

    // ---- files -----------------------------------------------------------------------------------------------

    private static List<String> lines(String t) {
        return new ArrayList<>(t.lines().toList());
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file and directory under the root, files by their bytes. */
    private static Map<String, String> snapshot() {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                files.put(root.relativize(p) + (Files.isDirectory(p) ? "/" : ""),
                    Files.isDirectory(p) ? "" : Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static void clear() {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(root)) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String printable(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (char ch : new String(bytes, StandardCharsets.UTF_8).toCharArray()) {
            if (ch != '\n' && (Character.isISOControl(ch) || Character.isSurrogate(ch) || ch == '\ufffd'
                || ch == '\ufeff' || ch == '\u2028' || ch == '\u202e')) {
                b.append(String.format("\\u%04x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }
}
