package dev.gpuop.operator.model;

import static dev.gpuop.testsupport.PropertyCheck.elements;
import static dev.gpuop.testsupport.PropertyCheck.forAll;
import static dev.gpuop.testsupport.PropertyCheck.frequency;
import static dev.gpuop.testsupport.PropertyCheck.just;
import static dev.gpuop.testsupport.PropertyCheck.weight;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.testsupport.DocumentMutation;
import dev.gpuop.testsupport.PropertyCheck.Gen;
import dev.gpuop.operator.TestNodes;
import dev.gpuop.operator.operand.OperatorSettings;
import dev.gpuop.operator.plan.DesiredState;
import dev.gpuop.operator.plan.Planner;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad input at volume for the ClusterPolicy as the operator reads it: a valid policy (every section set) and its
 * device plugin ConfigMap, with one field mutated (a wrong type, an out-of-range number, an empty string, a null in a
 * list, an unknown field, a removed key), go through what {@code gpuop render} and the controller run: fabric8's
 * YAML mapping, then {@link Planner#plan} ({@link PolicyValidator} and every operand). Each either plans, or is
 * refused by the mapping with a Jackson path that names the field, or yields problems whose fields start with
 * {@code spec.} and include the field that was changed; no other exception may escape, since a reconcile that throws
 * leaves the policy without a status condition to tell the admin why.
 */
class PolicyValidatorPropertyTest {

    private static final int TRIES = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ClusterInfo ONE_L4 = ClusterInfoObserver.observe(List.of(TestNodes.node("l4", "v1.33.5",
        "Ubuntu 24.04.1 LTS", Map.of("nvidia.com/gpu.present", "true", "nvidia.com/gpu.product", "NVIDIA-L4"),
        Map.of())));
    private static final OperatorSettings SETTINGS = new OperatorSettings("gpu-operator", "gpuop/gpuop:0.1.0",
        "nvcr.io/nvidia/driver:580.95.05");
    private static final String CONFIG_MAP_KEY = "any";
    private static final String CONFIG_FIELD = "spec.devicePlugin.config (plugin-config/" + CONFIG_MAP_KEY + ")";

    private static final Object SPEC = yaml("""
        operator:
          defaultRuntime: containerd
          runtimeClass: nvidia
          labels: {team: ml}
          annotations: {owner: platform}
        daemonsets:
          labels: {app: gpu}
          tolerations:
          - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
          priorityClassName: system-node-critical
          updateStrategy: RollingUpdate
          rollingUpdate: {maxUnavailable: "10%"}
        driver:
          enabled: true
          repository: nvcr.io/nvidia
          image: driver
          version: "580.95.05"
          imagePullPolicy: IfNotPresent
          imagePullSecrets: [regcred]
          resources:
            limits: {memory: 1Gi, cpu: 500m}
            requests: {memory: 256Mi}
          env:
          - {name: DRIVER_OPTS, value: x}
          args: [--verbose]
        toolkit:
          enabled: true
          installDir: /usr/local/nvidia
          env:
          - {name: CONTAINERD_CONFIG, value: /etc/containerd/config.toml}
        devicePlugin:
          enabled: true
          config: {name: plugin-config, default: any}
          env:
          - {name: PASS_DEVICE_SPECS, value: "true"}
        gfd: {enabled: true}
        dcgmExporter: {enabled: true}
        validator:
          imagePullPolicy: Always
          env:
          - {name: SLEEP_INTERVAL_SECONDS, value: "60"}
          plugin:
            env:
            - {name: WITH_WORKLOAD, value: "false"}
          driver:
            env:
            - {name: DISABLE_DEV_CHAR_SYMLINK_CREATION, value: "true"}
        mig: {strategy: single}
        migManager: {enabled: false, config: {name: mig-parted, default: all-disabled}}
        cdi: {enabled: true, default: false}
        nfd: {enabled: true}
        nodeAgent:
          imagePullPolicy: IfNotPresent
          resources: {limits: {memory: 512Mi}}
        """);
    private static final Object DEVICE_PLUGIN_CONFIG = yaml("""
        version: v1
        flags: {migStrategy: single}
        sharing:
          timeSlicing:
            resources:
            - {name: nvidia.com/gpu, replicas: 4}
            - {name: nvidia.com/mig-1g.10gb, replicas: 2}
        """);

    /** A policy and ConfigMap text, the field changed (as a status condition spells it) and how. */
    record Case(String policy, String configMap, String mutatedPath, String how) {
        @Override
        public String toString() {
            return how + " at " + mutatedPath + "\n--- spec\n" + policy + "--- ConfigMap " + CONFIG_MAP_KEY + "\n"
                + configMap + "---";
        }
    }

    @Test
    void theBaseIsValid() {
        DesiredState plan = plan(new Case(policyYaml(SPEC), text(DEVICE_PLUGIN_CONFIG), "", "none"));
        assertThat(plan.problems()).isEmpty();
    }

    @Test
    void mutatedPoliciesPlanOrNameTheFieldAndNeverThrow() {
        Gen<Case> cases = r -> {
            if (r.nextInt(4) == 0) {
                Object config = DocumentMutation.deepCopy(DEVICE_PLUGIN_CONFIG);
                DocumentMutation m = DocumentMutation.applySomewhere(config, r, WRONG, UNKNOWN_KEYS);
                return new Case(policyYaml(SPEC), text(config), CONFIG_FIELD + (m.path().isEmpty() ? ""
                    : "." + m.path()), "ConfigMap: " + m.how());
            }
            Object spec = DocumentMutation.deepCopy(SPEC);
            DocumentMutation m = DocumentMutation.applySomewhere(spec, r, WRONG, UNKNOWN_KEYS);
            return new Case(policyYaml(spec), text(DEVICE_PLUGIN_CONFIG), "spec" + (m.path().isEmpty() ? ""
                : "." + m.path()), m.how());
        };
        int[] seen = new int[3];
        int tries = forAll(TRIES, 20_251_119L, cases, c -> seen[plansOrNamesTheField(c)]++);
        // a generator that never broke the policy (or always broke its mapping) would prove little
        assertThat(seen[0]).as("plans").isGreaterThanOrEqualTo(tries / 10);
        assertThat(seen[1]).as("refused by the mapping").isGreaterThanOrEqualTo(tries / 10);
        assertThat(seen[2]).as("problems found").isGreaterThanOrEqualTo(tries / 10);
    }

    /** The property for one case: 0 when it plans, 1 when the mapping refuses it, 2 when it has problems. */
    private static int plansOrNamesTheField(Case c) {
        DesiredState plan;
        try {
            plan = plan(c);
        } catch (RuntimeException e) {
            JsonMappingException mapping = mappingFailure(e);
            if (mapping == null) {
                throw e;
            }
            String path = path(mapping);
            assertThat(related(path, c.mutatedPath()))
                .as("the mapping refuses " + path + ", the mutation was at " + c.mutatedPath()).isTrue();
            return 1;
        }
        if (plan.valid()) {
            return 0;
        }
        for (PolicyProblem p : plan.problems()) {
            assertThat(p.field()).as("field of " + p).startsWith("spec.");
            assertThat(p.message()).as("message of " + p).isNotBlank().doesNotContainPattern("\\p{Cntrl}")
                .doesNotContain("Exception", "java.", "Source: UNKNOWN", "reference chain");
        }
        assertThat(plan.problems()).as("a problem names " + c.mutatedPath())
            .anyMatch(p -> related(p.field(), c.mutatedPath()) || namesASibling(p, c.mutatedPath()));
        return 2;
    }

    private static DesiredState plan(Case c) {
        ClusterPolicy policy = Serialization.unmarshal(c.policy(), ClusterPolicy.class);
        return Planner.plan(policy, ONE_L4, SETTINGS, Map.of(CONFIG_MAP_KEY, c.configMap()));
    }

    private static JsonMappingException mappingFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonMappingException m) {
                return m;
            }
        }
        return null;
    }

    /** Jackson's reference chain as a status condition spells a field: {@code spec.driver.env[0].name}. */
    private static String path(JsonMappingException m) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** One path names the other or lies under it ({@code spec.mig} for a change at {@code spec.mig.strategy}). */
    private static boolean related(String named, String mutated) {
        return named.equals(mutated) || mutated.startsWith(named + ".") || mutated.startsWith(named + "[")
            || named.startsWith(mutated + ".") || named.startsWith(mutated + "[");
    }

    /**
     * A rule over several keys of one section is reported at one of them and names the others in its message
     * ({@code spec.driver.image: set repository, image and version ... (got repository=null, ...)}).
     */
    private static boolean namesASibling(PolicyProblem p, String mutated) {
        int dot = mutated.lastIndexOf('.');
        return dot > 0 && p.field().startsWith(mutated.substring(0, dot + 1))
            && p.message().contains(mutated.substring(dot + 1) + "=");
    }

    // ---- mutations ------------------------------------------------------------------------------------------

    private static final List<String> UNKNOWN_KEYS = List.of("enabeld", "image", "replicas", "x", "", "spec");
    private static final Gen<Object> WRONG = frequency(List.of(
        weight(3, elements(0, 1, -1, 2, Integer.MAX_VALUE, 2_147_483_648L, 99_999_999_999L)),
        weight(2, elements(2.5, -0.0, 1e300)),
        weight(4, elements("", " ", "x", "none", "mixed", "crio", "Sometimes", "BAD NAME", "lots", "-1", "1e3",
            "10%", "101%", "\u001b[2J", "a\nb", "\u0000", "nvcr.io/nvidia", "sha256:abc", "true")),
        weight(2, elements(true, false)),
        weight(2, just(null)),
        weight(1, r -> new ArrayList<>(java.util.Arrays.asList(null, "x", 1))),
        weight(1, r -> new ArrayList<>()),
        weight(1, r -> new LinkedHashMap<>(Map.of("name", "x"))),
        weight(1, r -> new LinkedHashMap<>())));

    // ---- documents ------------------------------------------------------------------------------------------

    private static String policyYaml(Object spec) {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("apiVersion", "gpuop.dev/v1alpha1");
        policy.put("kind", "ClusterPolicy");
        policy.put("metadata", Map.of("name", "cluster-policy", "uid", "9f1c7a4e-0000-4000-8000-000000000001"));
        policy.put("spec", spec);
        return text(policy);
    }

    private static String text(Object doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object yaml(String text) {
        try {
            return YAML.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

}
