package dev.gpuop.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.api.v1alpha1.ComponentSpec;
import dev.gpuop.operator.TestNodes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Input the schema accepts but gpuop cannot honour: each problem names the field. */
class PolicyValidatorTest {

    private static final ClusterInfo ONE_L4 = ClusterInfoObserver.observe(List.of(TestNodes.node("l4", "v1.33.5",
        "Ubuntu 24.04.1 LTS", Map.of("nvidia.com/gpu.present", "true", "nvidia.com/gpu.product", "NVIDIA-L4"),
        Map.of())));

    private static List<String> fields(String spec, Map<String, String> configMap) {
        return PolicyValidator.validate(TestNodes.policy(spec).spec(), ONE_L4, configMap).stream()
            .map(PolicyProblem::field).toList();
    }

    @Test
    void aGoodPolicyHasNoProblems() {
        assertThat(fields("operator:\n  defaultRuntime: containerd\nmig:\n  strategy: single\n", null)).isEmpty();
    }

    @Test
    void anotherRuntimeIsRefused() {
        assertThat(fields("operator:\n  defaultRuntime: crio\n", null)).containsExactly(
            "spec.operator.defaultRuntime");
    }

    @Test
    void mixedMigOnANodeWithoutMigNamesTheStrategyAndTheNode() {
        List<PolicyProblem> p = PolicyValidator.validate(TestNodes.policy("mig:\n  strategy: mixed\n").spec(),
            ONE_L4, null);
        assertThat(p).singleElement().satisfies(x -> {
            assertThat(x.field()).isEqualTo("spec.mig.strategy");
            assertThat(x.message()).contains("l4");
        });
    }

    @Test
    void ourToolkitWithoutCdiIsRefusedNamingCdiEnabledButTheSeedsHostToolkitIsNot() {
        List<PolicyProblem> p = PolicyValidator.validate(TestNodes.policy("cdi:\n  enabled: false\n").spec(),
            ONE_L4, null);
        assertThat(p).singleElement().satisfies(x -> {
            assertThat(x.field()).isEqualTo("spec.cdi.enabled");
            assertThat(x.message()).contains("no GPU", "toolkit.enabled=false");
        });
        assertThat(fields("cdi:\n  enabled: false\ntoolkit:\n  enabled: false\n", null)).isEmpty();
        assertThat(fields("cdi:\n  enabled: true\ntoolkit:\n  enabled: true\n", null)).isEmpty();
    }

    @Test
    void malformedSectionsNameTheirFields() {
        assertThat(fields("driver:\n  imagePullPolicy: Sometimes\ntoolkit:\n  env:\n  - name: 'BAD NAME'\n"
            + "    value: x\ndaemonsets:\n  rollingUpdate:\n    maxUnavailable: some\n"
            + "nodeAgent:\n  resources:\n    limits:\n      memory: lots\n", null))
            .containsExactlyInAnyOrder("spec.driver.imagePullPolicy", "spec.toolkit.env[0].name",
                "spec.daemonsets.rollingUpdate.maxUnavailable", "spec.nodeAgent.resources.limits.memory");
    }

    @Test
    void theDevicePluginConfigMapMustExistHaveTheKeyAndBeAV1Config() {
        String spec = "devicePlugin:\n  config:\n    name: plugin-config\n    default: any\n";
        assertThat(fields(spec, Map.of())).containsExactly("spec.devicePlugin.config.name");
        assertThat(fields(spec, Map.of("other", "version: v1\n"))).containsExactly(
            "spec.devicePlugin.config.default");
        assertThat(fields(spec, Map.of("any", "version: v1\nsharing:\n  timeSlicing:\n    resources:\n"
            + "    - name: nvidia.com/gpu\n      replicas: 4\n"))).isEmpty();
        assertThat(fields(spec, Map.of("any", "version: v2\nflags:\n  migStrategy: most\nsharing:\n"
            + "  timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: zero\n")))
            .containsExactly("spec.devicePlugin.config (plugin-config/any).version",
                "spec.devicePlugin.config (plugin-config/any).flags.migStrategy",
                "spec.devicePlugin.config (plugin-config/any).sharing.timeSlicing.resources[0].replicas");
        assertThat(fields(spec, Map.of("any", "version: [v1\n"))).containsExactly(
            "spec.devicePlugin.config (plugin-config/any)");
        // a dry run without a cluster does not check the ConfigMap
        assertThat(fields(spec, null)).isEmpty();
    }

    @Test
    void imagesResolveAsNvidiasOrNameTheirField() {
        ComponentSpec c = new ComponentSpec();
        assertThat(ImageRef.resolve(c, "spec.nodeAgent", "gpuop/gpuop:0.1.0")).isEqualTo("gpuop/gpuop:0.1.0");
        c.setImage("registry.example:5000/team/agent@sha256:" + "a".repeat(64));
        assertThat(ImageRef.resolve(c, "spec.nodeAgent", null)).endsWith("a".repeat(64));
        c.setRepository("nvcr.io/nvidia");
        c.setImage("driver");
        c.setVersion("580.95.05");
        assertThat(ImageRef.resolve(c, "spec.driver", null)).isEqualTo("nvcr.io/nvidia/driver:580.95.05");
        c.setVersion("sha256:" + "b".repeat(64));
        assertThat(ImageRef.isDigest(ImageRef.resolve(c, "spec.driver", null))).isTrue();
        // the part that is wrong is named, not always version (PolicyValidatorPropertyTest found image blamed on it)
        c.setImage("Driver Image");
        c.setVersion("1");
        assertThatThrownBy(() -> ImageRef.resolve(c, "spec.driver", null)).isInstanceOf(PolicyException.class)
            .satisfies(e -> assertThat(((PolicyException) e).problem().field()).isEqualTo("spec.driver.image"));
        c.setImage("driver");
        c.setVersion("1 0");
        assertThatThrownBy(() -> ImageRef.resolve(c, "spec.driver", null))
            .satisfies(e -> assertThat(((PolicyException) e).problem().field()).isEqualTo("spec.driver.version"));
        c.setRepository("nvcr.io/");
        c.setVersion("1");
        assertThatThrownBy(() -> ImageRef.resolve(c, "spec.driver", null))
            .satisfies(e -> assertThat(((PolicyException) e).problem().field()).isEqualTo("spec.driver.repository"));
        c.setRepository("nvcr.io/nvidia");
        c.setImage("Driver Image");
        c.setVersion(null);
        assertThatThrownBy(() -> ImageRef.resolve(c, "spec.driver", null))
            .hasMessageStartingWith("spec.driver.image: set repository, image and version");
    }

    /** Found by PolicyValidatorPropertyTest: each of these failed the whole plan with an exception, no condition. */
    @Test
    void emptyEntriesAndValuesAreProblemsByFieldNotExceptions() {
        String spec = "daemonsets:\n  tolerations: [null]\n  rollingUpdate:\n    maxUnavailable: '2147483648'\n"
            + "driver:\n  env: [null]\n  resources:\n    limits:\n      memory: null\n"
            + "toolkit:\n  env:\n  - name: CONTAINERD_CONFIG\n  - name: CONTAINERD_SOCKET\n    value: c.sock\n"
            + "validator:\n  env: [null]\n  driver:\n    env: [null]\n";
        assertThat(fields(spec, null)).containsExactlyInAnyOrder("spec.daemonsets.tolerations[0]",
            "spec.daemonsets.rollingUpdate.maxUnavailable", "spec.driver.env[0]", "spec.driver.resources.limits.memory",
            "spec.toolkit.env[0].value", "spec.toolkit.env[1].value", "spec.validator.env[0]",
            "spec.validator.driver.env[0]");
        assertThat(fields("daemonsets:\n  rollingUpdate:\n    maxUnavailable: 101%\n", null))
            .containsExactly("spec.daemonsets.rollingUpdate.maxUnavailable");
        String configMap = "devicePlugin:\n  config:\n    name: plugin-config\n    default: any\n";
        assertThat(fields(configMap, Map.of("any", "version: v1\nsharing:\n  timeSlicing:\n    resources:\n"
            + "      name: nvidia.com/gpu\n"))).containsExactly(
                "spec.devicePlugin.config (plugin-config/any).sharing.timeSlicing.resources");
    }

    /** Found by PolicyValidatorPropertyTest: a value's escape sequence reached the condition unescaped. */
    @Test
    void aProblemIsOneLineOfPrintableText() {
        String spec = "driver:\n  imagePullPolicy: \"a\\nb\\u001b[2J\"\n";
        List<PolicyProblem> p = PolicyValidator.validate(TestNodes.policy(spec).spec(), ONE_L4, null);
        assertThat(p).singleElement().satisfies(x -> assertThat(x.message()).startsWith("'a\\u000ab\\u001b[2J'"));
    }

    /** Editing the ClusterPolicy by hand meets the chart's rule: the node agent's parts take no image of their own. */
    @Test
    void imageKeysOfTheNodeAgentsPartsAreRefusedByField() {
        assertThat(fields("toolkit:\n  repository: nvcr.io/nvidia/k8s\n  image: container-toolkit\n"
            + "devicePlugin:\n  version: v0.18.0\ndcgmExporter:\n  image: dcgm-exporter\n"
            + "driver:\n  version: 580.95.05\n", Map.of())).containsExactlyInAnyOrder("spec.toolkit.repository",
                "spec.toolkit.image", "spec.devicePlugin.version", "spec.dcgmExporter.image");
    }

    @Test
    void theMpsRootIsAnAbsoluteHostDirectorySetInOnePlace() {
        assertThat(fields("devicePlugin:\n  mps:\n    root: /var/run/mps\n", Map.of())).isEmpty();
        assertThat(fields("devicePlugin:\n  mps:\n    root: run/mps\n", Map.of())).containsExactly(
            "spec.devicePlugin.mps.root");
        assertThat(fields("devicePlugin:\n  mps:\n    root: /\n", Map.of())).containsExactly(
            "spec.devicePlugin.mps.root");
        assertThat(fields("devicePlugin:\n  env:\n  - {name: MPS_ROOT, value: /srv/mps}\n", Map.of()))
            .containsExactly("spec.devicePlugin.env[0].name");
    }

    @Test
    void anUpgradePolicyOutOfRangeNamesItsField() {
        assertThat(fields("driver:\n  upgradePolicy:\n    maxParallelUpgrades: 0\n    maxUnavailable: 3\n"
            + "    drain: {enable: true, timeoutSeconds: 0}\n", Map.of())).isEmpty();
        assertThat(fields("driver:\n  upgradePolicy:\n    maxParallelUpgrades: -1\n    maxUnavailable: 120%\n"
            + "    waitForCompletion: {timeoutSeconds: -5}\n    podDeletion: {timeoutSeconds: -1}\n", Map.of()))
            .containsExactly("spec.driver.upgradePolicy.maxParallelUpgrades",
                "spec.driver.upgradePolicy.maxUnavailable",
                "spec.driver.upgradePolicy.waitForCompletion.timeoutSeconds",
                "spec.driver.upgradePolicy.podDeletion.timeoutSeconds");
    }
}
