package dev.gpuop.operator;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.Map;

/** Node and policy fixtures for the model and mock tests. */
public final class TestNodes {

    private TestNodes() {
    }

    /** A node as the kubelet reports it, with labels and annotations. */
    public static Node node(String name, String kubeletVersion, String osImage, Map<String, String> labels,
                            Map<String, String> annotations) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(new LinkedHashMap<>(labels))
            .withAnnotations(new LinkedHashMap<>(annotations)).endMetadata()
            .withNewStatus().withNewNodeInfo().withKubeletVersion(kubeletVersion).withOsImage(osImage)
            .withContainerRuntimeVersion("containerd://2.1.4").withKernelVersion("6.8.0-45-generic")
            .withArchitecture("amd64").withOperatingSystem("linux").endNodeInfo().endStatus().build();
    }

    /** A GPU node found by NFD, whose agent reported a pre-installed driver (the seed's host). */
    public static Node nfdGpuNode(String name, String kubeletVersion) {
        return node(name, kubeletVersion, "Ubuntu 24.04.1 LTS",
            Map.of("feature.node.kubernetes.io/pci-10de.present", "true", "kubernetes.io/os", "linux"),
            Map.of("gpuop.dev/driver-preinstalled", "true", "gpuop.dev/node-agent-state", "ready"));
    }

    /** A plain node without GPUs. */
    public static Node cpuNode(String name) {
        return node(name, "v1.33.5", "Ubuntu 24.04.1 LTS", Map.of("kubernetes.io/os", "linux"), Map.of());
    }

    /** A policy from YAML text. */
    public static ClusterPolicy policy(String specYaml) {
        String yaml = "apiVersion: gpuop.dev/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: cluster-policy\n"
            + "  uid: 9f1c7a4e-0000-4000-8000-000000000001\nspec:\n" + specYaml.indent(2);
        return Serialization.unmarshal(yaml, ClusterPolicy.class);
    }
}
