package dev.gpuop.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every key of NVIDIA's gpu-operator chart is accounted for: it has exactly one row in the chart README's table, and
 * the chart does what the row says, checked by rendering with the real Helm engine: an honoured key changes the
 * output, a key of no effect leaves it byte for byte as it was, a refused key fails the install with a message naming
 * it. A values file copied whole from NVIDIA's chart fails naming only its image keys of the node agent's parts.
 */
class NvidiaChartKeysIT {

    private static final Path CHART = Path.of("../deploy/helm/gpuop");
    private static final Path KEYS = Path.of("src/test/resources/nvidia-chart/values-keys.txt");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern ROW = Pattern.compile("^\\| (`[^|]+) \\| (honoured|no effect|refused) \\|.*$");

    private static final String REFUSED = "refused by the chart: ";

    @TempDir
    static Path dir;

    private static Map<String, String> defaults;
    private static Map<String, String> rows;
    private static String baseline;

    @BeforeAll
    static void load() throws IOException {
        defaults = new LinkedHashMap<>();
        for (String line : Files.readAllLines(KEYS)) {
            if (!line.startsWith("#") && !line.isBlank()) {
                String[] f = line.split("\t");
                defaults.put(f[0], f[1]);
            }
        }
        rows = new LinkedHashMap<>();
        String readme = Files.readString(CHART.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Every key of NVIDIA's chart"));
        for (String line : section.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                for (String item : m.group(1).split(", ")) {
                    String key = item.replaceAll("`", "").replace(" (the other keys)", "").strip();
                    assertThat(rows.put(key, m.group(2))).as("%s is in two rows", key).isNull();
                }
            }
        }
        baseline = outcome(Map.of());
    }

    /** The row a key falls under: its own, else the longest prefix row ({@code a.b.*}). */
    private static String status(String key) {
        if (rows.containsKey(key)) {
            return rows.get(key);
        }
        String best = null;
        for (String row : rows.keySet()) {
            if (row.endsWith(".*") && key.startsWith(row.substring(0, row.length() - 1))
                && (best == null || row.length() > best.length())) {
                best = row;
            }
        }
        return best == null ? null : rows.get(best);
    }

    @Test
    void everyKeyHasItsRowAndTheChartDoesWhatTheRowSays() {
        assertThat(defaults).hasSizeGreaterThan(250);
        SoftAssertions soft = new SoftAssertions();
        for (Map.Entry<String, String> e : defaults.entrySet()) {
            String key = e.getKey();
            String status = status(key);
            soft.assertThat(status).as("%s has no row in the README's table", key).isNotNull();
            if (status == null) {
                continue;
            }
            Map<String, Object> context = CONTEXT.getOrDefault(key, Map.of());
            Object a = provoking(e.getValue(), "a");
            String outcomeA = outcome(with(context, key, a));
            switch (status) {
                // the output depends on the value (a refusal of an incomplete setting counts: create without name)
                case "honoured" -> {
                    Object b = provoking(e.getValue(), "b");
                    soft.assertThat(outcomeA).as("%s: %s and %s give the same output", key, a, b)
                        .isNotEqualTo(outcome(with(context, key, b)));
                }
                case "no effect" -> soft.assertThat(outcomeA).as("%s=%s changes the output", key, a)
                    .isEqualTo(context.isEmpty() ? baseline : outcome(context));
                default -> soft.assertThat(outcomeA).as("%s=%s is not refused by name", key, a)
                    .startsWith(REFUSED).contains(key);
            }
        }
        soft.assertAll();
    }

    @Test
    void nvidiasWholeValuesFileIsRefusedOnlyForTheImageKeysOfTheNodeAgentsParts() {
        Map<String, Object> all = new LinkedHashMap<>();
        defaults.forEach((k, v) -> all.put(k, parse(v)));
        all.keySet().removeIf(k -> k.startsWith("dcgmExporter.config."));  // NVIDIA's comments, not its defaults
        // NVIDIA's operator.image is a plain string; gpuop's is a map, and the chart says so first
        assertThat(outcome(all)).startsWith(REFUSED).contains("operator.image must be a map");
        all.remove("operator.image");
        String refusal = outcome(all);
        assertThat(refusal).startsWith(REFUSED).contains("refused: toolkit.repository (", "refused: toolkit.image (",
            "refused: devicePlugin.version (", "refused: gfd.image (", "refused: dcgmExporter.version (",
            "refused: migManager.image (");
        assertThat(refusal.split("one image runs the node agent parts", -1)).as(refusal).hasSize(16);
        for (String part : List.of("toolkit", "devicePlugin", "gfd", "dcgmExporter", "migManager")) {
            for (String k : List.of("repository", "image", "version")) {
                all.remove(part + "." + k);
            }
        }
        assertThat(outcome(all)).contains("kind: ClusterPolicy");
    }

    /**
     * Keys whose effect needs another key set with them (a default config needs the ConfigMap's name, the
     * ServiceMonitor's settings need it on): compared with that context alone.
     */
    private static final Map<String, Map<String, Object>> CONTEXT = Map.of(
        "devicePlugin.config.default", Map.of("devicePlugin.config.name", "plugin-configs"),
        "devicePlugin.config.data", Map.of("devicePlugin.config.create", true, "devicePlugin.config.name",
            "plugin-configs"),
        "dcgmExporter.serviceMonitor.interval", Map.of("dcgmExporter.serviceMonitor.enabled", true),
        "dcgmExporter.serviceMonitor.honorLabels", Map.of("dcgmExporter.serviceMonitor.enabled", true),
        "dcgmExporter.serviceMonitor.additionalLabels", Map.of("dcgmExporter.serviceMonitor.enabled", true),
        "dcgmExporter.serviceMonitor.relabelings", Map.of("dcgmExporter.serviceMonitor.enabled", true));

    private static Map<String, Object> with(Map<String, Object> context, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(context);
        m.put(key, value);
        return m;
    }

    /**
     * A value that asks for something, in two variants: for a boolean the default's opposite ("a") and the default
     * ("b"); for text, numbers, lists and maps a value unlike the default, different per variant.
     */
    private static Object provoking(String nvidiaDefault, String variant) {
        Object v = parse(nvidiaDefault);
        boolean a = variant.equals("a");
        if (v instanceof Boolean b) {
            return a != b;
        }
        if (v instanceof Number n) {
            return n.intValue() + (a ? 7 : 8);
        }
        if (v instanceof List<?>) {
            return List.of(Map.of("name", "GPUOP_TEST_" + variant.toUpperCase(java.util.Locale.ROOT), "value", "x",
                "key", "gpuop-test-" + variant, "operator", "Exists"));
        }
        if (v instanceof Map<?, ?>) {
            return Map.of("gpuop-test-" + variant, "x");
        }
        String s = v == null ? "" : v.toString();
        if (s.endsWith("%")) {
            return a ? "37%" : "38%";
        }
        return s.isEmpty() ? "gpuop-test-" + variant : s + "-gpuop-test-" + variant;
    }

    private static Object parse(String text) {
        if (text.equals("|-")) {
            return "x";
        }
        try {
            return YAML.readValue("v: " + text, Map.class).get("v");
        } catch (IOException e) {
            return text;
        }
    }

    private static TemplateCommand command(Map<String, Object> set) {
        try {
            Map<String, Object> tree = new LinkedHashMap<>();
            set.forEach((path, value) -> put(tree, path.split("\\."), value));
            Path values = Files.createTempFile(dir, "values", ".yaml");
            Files.writeString(values, YAML.writeValueAsString(tree), StandardCharsets.UTF_8);
            // the chart's own defaults as the baseline: every key NVIDIA's chart has is set against them
            return new Helm(CHART).template().withName("gpuop").withNamespace("gpu-operator").withValuesFile(values);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, String[] path, Object value) {
        Map<String, Object> at = tree;
        for (int i = 0; i < path.length - 1; i++) {
            at = (Map<String, Object>) at.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
        }
        at.put(path[path.length - 1], value);
    }

    /** The rendered manifests, or {@link #REFUSED} and Helm's message when the chart refuses the values. */
    private static String outcome(Map<String, Object> set) {
        try {
            return command(set).call();
        } catch (RuntimeException e) {
            return REFUSED + e.getMessage();
        }
    }

}
