package dev.gpuop.node.deviceplugin.config;

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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.gpuop.testsupport.DocumentMutation;
import dev.gpuop.testsupport.PropertyCheck;
import dev.gpuop.testsupport.PropertyCheck.Gen;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Bad input at volume for NVIDIA's device plugin config as the node agent reads it ({@link DevicePluginConfigs#parse}
 * and {@link DevicePluginSettings#from}): random YAML and JSON documents, and valid configs with one field mutated
 * (wrong type, out-of-range replicas, empty strings, nulls in lists, unknown fields, both sharing kinds), are either
 * accepted, and then hold NVIDIA's rules and read the same twice, or refused with an {@link InvalidConfigException}
 * whose one-line message names the source and the field path that was changed (or the line of a syntax error), and
 * never Jackson's own text ({@code Source: UNKNOWN}, {@code through reference chain}, Java type names).
 */
class DevicePluginConfigPropertyTest {

    private static final int TRIES = 10_000;
    private static final String SOURCE = "gpu-operator/plugin-config/config.yaml";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    /** A field path at the start of a refusal: {@code sharing.timeSlicing.resources[0].replicas: ...}. */
    /** The field a refusal names first; a refusal of two fields together names both ({@code a and b: ...}). */
    private static final Pattern FIELD = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*(?:\\[\\d+]|\\.[A-Za-z_]\\w*)*)"
        + "(?: and ([A-Za-z_][A-Za-z0-9_]*(?:\\[\\d+]|\\.[A-Za-z_]\\w*)*))?(?:: | \\()");

    /** A document, how it was made, and the field changed (null when the text itself was damaged). */
    record Case(String text, Object doc, String mutatedPath, Map<String, String> env, String how) {
        @Override
        public String toString() {
            return how + " at " + mutatedPath + ", env " + env + "\n---\n" + text + "\n---";
        }
    }

    @Test
    void randomDocumentsAreAcceptedOrRefusedByFieldWithoutJacksonsText() {
        Gen<Case> docs = oneOf(
            r -> new Case(serialize(node(r, 0), r), null, null, Map.of(), "random tree"),
            r -> new Case(strings(charsOf("{}[]:,-'\"#&*!|>?%@`\n\t abcflagsharingmpsv1 0123456789"), 0, 80).next(r),
                null, null, Map.of(), "random text"),
            r -> new Case("[".repeat(ints(40, 200).next(r)), null, null, Map.of(), "deep nesting"),
            r -> new Case("a: &x [*x]\n" + "b: *y\n".repeat(r.nextInt(3)), null, null, Map.of(), "aliases"));
        int[] seen = new int[2];
        int tries = forAll(TRIES, 20_251_117L, docs, c -> seen[acceptedOrRefusedByField(c) ? 0 : 1]++);
        assertThat(seen[1]).as("random documents refused").isGreaterThanOrEqualTo(tries / 5);
    }

    @Test
    void mutatedValidConfigsAreAcceptedConsistentlyOrRefusedNamingTheField() {
        Gen<Case> mutated = r -> {
            Object doc = DocumentMutation.deepCopy(elements(VALID).next(r));
            DocumentMutation change = DocumentMutation.applySomewhere(doc, r, VALUES, KEYS);
            String how = change.how();
            String text = serialize(doc, r);
            Map<String, String> env = r.nextInt(10) == 0 ? Map.of(elements(ENV_NAMES).next(r),
                elements("", "true", "yes", "none", "mixed", "envvar,cdi", "uuid", "index", " ").next(r)) : Map.of();
            if (r.nextInt(10) == 0) {
                int cut = r.nextInt(text.length() + 1);
                return new Case(text.substring(0, cut) + elements("\t", ":", "[", "'", "\"", "- ", "&a", "")
                    .next(r) + text.substring(cut), null, null, env, how + ", then the text damaged at " + cut);
            }
            return new Case(text, doc, change.path(), env, how);
        };
        int[] seen = new int[2];
        int tries = forAll(TRIES, 20_251_118L, mutated, c -> seen[acceptedOrRefusedByField(c) ? 0 : 1]++);
        // a generator that only ever broke the config (or never did) would prove little
        assertThat(seen[0]).as("mutated configs accepted").isGreaterThanOrEqualTo(tries / 5);
        assertThat(seen[1]).as("mutated configs refused").isGreaterThanOrEqualTo(tries / 5);
    }

    /** The property for one document: true when it was accepted, false when it was refused. */
    private static boolean acceptedOrRefusedByField(Case c) {
        DevicePluginSettings settings;
        try {
            settings = DevicePluginConfigs.parse(c.text(), SOURCE, c.env());
        } catch (InvalidConfigException e) {
            String message = e.getMessage();
            assertThat(message).startsWith(SOURCE + ": ").doesNotContain("Source: UNKNOWN", "reference chain",
                "java.", "dev.gpuop", "\tat ", "Exception").doesNotContainPattern("\\p{Cntrl}");
            String rest = message.substring(SOURCE.length() + 2);
            if (rest.startsWith("not a device plugin config: ")) {
                assertThat(rest).as("a syntax error names its line").containsPattern("\\(line \\d+\\)$");
                return false;
            }
            Matcher field = FIELD.matcher(rest);
            assertThat(field.find()).as("the refusal starts with a field path: " + rest).isTrue();
            String named = field.group(1);
            String also = field.group(2);
            boolean fromEnv = c.env().containsKey(named) || also != null && c.env().containsKey(also);
            if (c.mutatedPath() != null && !fromEnv) {
                assertThat(related(named, c.mutatedPath()) || also != null && related(also, c.mutatedPath()))
                    .as("the refusal names " + named + (also == null ? "" : " and " + also) + ", the mutation was at "
                        + c.mutatedPath()).isTrue();
            }
            return false;
        }
        assertThat(settings.deviceListStrategies()).isNotEmpty();
        settings.replication().ifPresent(rep -> rep.replicasByResource().forEach((name, n) -> {
            assertThat(name).startsWith("nvidia.com/");
            assertThat(n).as("replicas of " + name).isGreaterThanOrEqualTo(2);
        }));
        assertThat(DevicePluginConfigs.parse(c.text(), SOURCE, c.env())).as("read twice, the same").isEqualTo(settings);
        if (c.doc() != null && c.env().isEmpty()) {
            assertReadAsWritten(c.doc(), settings);
        }
        return true;
    }

    /** What was accepted is what the document says: its replicas per resource and its MIG strategy. */
    private static void assertReadAsWritten(Object doc, DevicePluginSettings settings) {
        if (at(doc, "flags", "migStrategy") instanceof String mig && !mig.isBlank()) {
            assertThat(settings.migStrategy().name()).isEqualToIgnoringCase(mig.trim());
        }
        for (String kind : List.of("timeSlicing", "mps")) {
            if (at(doc, "sharing", kind, "resources") instanceof List<?> resources) {
                for (Object res : resources) {
                    if (res instanceof Map<?, ?> m && m.get("name") instanceof String name
                        && m.get("replicas") instanceof Integer n) {
                        assertThat(settings.replication().orElseThrow().replicasOf(name)).as(name).isEqualTo(n);
                    }
                }
            }
        }
    }

    private static Object at(Object doc, String... keys) {
        Object node = doc;
        for (String k : keys) {
            node = node instanceof Map<?, ?> m ? m.get(k) : null;
        }
        return node;
    }

    /** One path names the other or lies under it ({@code sharing} for a change at {@code sharing.mps.x}). */
    private static boolean related(String named, String mutated) {
        return mutated.isEmpty() || named.equals(mutated) || mutated.startsWith(named + ".")
            || mutated.startsWith(named + "[") || named.startsWith(mutated + ".") || named.startsWith(mutated + "[");
    }

    // ---- valid configs and their mutations --------------------------------------------------------------------

    private static final List<Object> VALID = List.of(
        load("/nvidia-device-plugin-config.yaml"),
        tree("""
            version: v1
            flags:
              migStrategy: single
              plugin: {deviceListStrategy: [envvar, cdi-cri], deviceIDStrategy: index, passDeviceSpecs: true}
            sharing:
              mps:
                renameByDefault: true
                resources:
                - {name: nvidia.com/gpu, replicas: 3, rename: gpu.shared, devices: all}
                - {name: nvidia.com/mig-1g.5gb, replicas: 2, devices: [0, GPU-1]}
            """),
        tree("""
            {"version": "v1", "flags": {"migStrategy": "single", "failOnInitError": false,
             "plugin": {"deviceListStrategy": "volume-mounts"}},
             "sharing": {"timeSlicing": {"failRequestsGreaterThanOne": true,
             "resources": [{"name": "nvidia.com/gpu", "replicas": 10}]}}}
            """));

    private static final List<String> KEYS = List.of("version", "flags", "migStrategy", "failOnInitError",
        "nvidiaDriverRoot", "plugin", "deviceListStrategy", "deviceIDStrategy", "passDeviceSpecs", "sharing",
        "timeSlicing", "mps", "resources", "name", "replicas", "rename", "devices", "renameByDefault",
        "failRequestsGreaterThanOne", "gfd", "x-unknown", "");
    private static final List<String> ENV_NAMES = List.of("MIG_STRATEGY", "DEVICE_LIST_STRATEGY",
        "DEVICE_ID_STRATEGY", "PASS_DEVICE_SPECS", "FAIL_ON_INIT_ERROR", "GDS_ENABLED", "NVIDIA_DEV_ROOT");

    private static final Gen<Object> SCALARS = frequency(List.of(
        weight(3, elements(0, 1, 2, -1, 4, Integer.MAX_VALUE, Integer.MIN_VALUE)),
        weight(2, elements(2_147_483_648L, 99_999_999_999L, Long.MIN_VALUE)),
        weight(2, elements(2.5, 1e10, -0.0, Double.NaN, Double.POSITIVE_INFINITY)),
        weight(1, just(new java.math.BigInteger("123456789012345678901234567890"))),
        weight(3, elements("", " ", "v1", "v2", "none", "mixed", "envvar", "cdi", "nvidia.com/gpu", "amd.com/gpu",
            "4", "true", "null", "~", "\u0000", "\u001b[2J", "\u00e9\u2028\ud800")),
        weight(2, elements(true, false)),
        weight(1, just(null))));

    /** A random value: scalars mostly, maps with known and unknown keys, lists that may hold nulls. */
    private static Object node(Random r, int depth) {
        return PropertyCheck.tree(r, depth, SCALARS, KEYS);
    }

    /** What a change sets: scalars, whole subtrees, empty containers, numbers near the edges, null. */
    private static final Gen<Object> VALUES = r -> switch (r.nextInt(8)) {
        case 0, 1 -> SCALARS.next(r);
        case 2 -> node(r, 2);
        case 3 -> List.of();
        case 4 -> new LinkedHashMap<>();
        case 5 -> elements(0, 1, -3, 2_147_483_648L, 1.5, "", "two").next(r);
        default -> null;
    };

    // ---- documents ------------------------------------------------------------------------------------------

    private static String serialize(Object doc, Random r) {
        try {
            return r.nextBoolean() ? YAML.writeValueAsString(doc) : JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object tree(String yamlOrJson) {
        try {
            return YAML.readValue(yamlOrJson, Object.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object load(String resource) {
        try (InputStream in = DevicePluginConfigPropertyTest.class.getResourceAsStream(resource)) {
            return YAML.readValue(in, Object.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
