package dev.gpuop.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The generated CRD says what users and the API server rely on: scope, enums, defaults, the status subresource. */
class ClusterPolicyCrdTest {

    private static JSONSchemaProps spec(CustomResourceDefinition crd) {
        return crd.getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    }

    private static CustomResourceDefinition crd() throws Exception {
        return Serialization.unmarshal(Files.readString(CrdDriftTest.GENERATED), CustomResourceDefinition.class);
    }

    @Test
    void clusterScopedWithStatusAndPrinterColumns() throws Exception {
        CustomResourceDefinition crd = crd();
        assertThat(crd.getMetadata().getName()).isEqualTo("clusterpolicies.gpuop.dev");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        var v = crd.getSpec().getVersions().getFirst();
        assertThat(v.getName()).isEqualTo("v1alpha1");
        assertThat(v.getSubresources().getStatus()).isNotNull();
        assertThat(v.getAdditionalPrinterColumns()).extracting(c -> c.getJsonPath())
            .contains(".status.state", ".status.gpuNodes", ".status.readyNodes");
    }

    @Test
    void enumsAndDefaultsUseNvidiasSpelling() throws Exception {
        JSONSchemaProps spec = spec(crd());
        JSONSchemaProps strategy = spec.getProperties().get("mig").getProperties().get("strategy");
        assertThat(strategy.getEnum()).extracting(Object::toString).containsExactlyInAnyOrder(
            "\"none\"", "\"single\"", "\"mixed\"");
        assertThat(strategy.getDefault().asText()).isEqualTo("single");
        JSONSchemaProps runtime = spec.getProperties().get("operator").getProperties().get("defaultRuntime");
        assertThat(runtime.getEnum()).hasSize(3);
        assertThat(spec.getProperties().get("operator").getProperties().get("runtimeClass").getDefault().asText())
            .isEqualTo("nvidia");
        assertThat(spec.getProperties().get("devicePlugin").getProperties().get("config").getProperties())
            .containsKeys("name", "default");
        assertThat(spec.getProperties()).containsKeys("driver", "toolkit", "devicePlugin", "gfd", "dcgmExporter",
            "validator", "mig", "migManager", "cdi", "daemonsets", "operator", "nodeAgent", "nfd");
        assertThat(spec.getProperties().get("toolkit").getProperties()).containsKeys("enabled", "repository",
            "image", "version", "imagePullPolicy", "imagePullSecrets", "resources", "env", "args", "installDir");
    }

    @Test
    void aPolicyWrittenForNvidiasOperatorReadsTheSame() {
        String yaml = """
            apiVersion: gpuop.dev/v1alpha1
            kind: ClusterPolicy
            metadata:
              name: cluster-policy
            spec:
              operator:
                defaultRuntime: containerd
              driver:
                enabled: false
              toolkit:
                enabled: true
                env:
                - name: CONTAINERD_SOCKET
                  value: /run/k3s/containerd/containerd.sock
              devicePlugin:
                config:
                  name: time-slicing-config
                  default: any
              mig:
                strategy: mixed
              daemonsets:
                updateStrategy: OnDelete
                tolerations:
                - key: nvidia.com/gpu
                  operator: Exists
                  effect: NoSchedule
            """;
        ClusterPolicy p = Serialization.unmarshal(yaml, ClusterPolicy.class);
        ClusterPolicySpec s = p.spec();
        assertThat(s.operator().defaultRuntime()).isEqualTo(OperatorSpec.ContainerRuntime.CONTAINERD);
        assertThat(s.driver().enabledOr(true)).isFalse();
        assertThat(s.toolkit().getEnv()).containsExactly(
            new EnvVar("CONTAINERD_SOCKET", "/run/k3s/containerd/containerd.sock"));
        assertThat(s.devicePlugin().getConfig()).isEqualTo(new ConfigRef("time-slicing-config", "any"));
        assertThat(s.mig().strategyOrDefault()).isEqualTo(MigSpec.Strategy.MIXED);
        assertThat(s.daemonsets().updateStrategy()).isEqualTo(DaemonsetsSpec.UpdateStrategy.ON_DELETE);
        assertThat(s.daemonsets().tolerations()).singleElement().satisfies(t -> assertThat(t.getKey())
            .isEqualTo("nvidia.com/gpu"));
        // absent sections read as their defaults
        assertThat(s.cdi().isEnabled()).isTrue();
        assertThat(s.nfd().isEnabled()).isFalse();
        assertThat(s.operator().runtimeClassOrDefault()).isEqualTo("nvidia");
        assertThat(s.gfd().enabledOr(true)).isTrue();
        // and it writes back in the same spelling
        assertThat(Serialization.asYaml(p)).contains("strategy: \"mixed\"", "updateStrategy: \"OnDelete\"",
            "default: \"any\"").doesNotContain("defaultConfig");
    }
}
