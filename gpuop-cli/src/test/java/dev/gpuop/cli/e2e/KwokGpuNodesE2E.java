package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** KWOK mode: 1,000 simulated GPU nodes against the same real control plane, as a GPU node looks to the API. */
@ExtendWith(TestClusterExtension.class)
class KwokGpuNodesE2E {

    @Test
    void aThousandFakeGpuNodesRegisterWithGpuCapacityAndLabels(TestCluster cluster, KubernetesClient k8s) {
        try {
            cluster.kwokNodes(1000);
            List<Node> nodes = k8s.nodes().withLabel("type", "kwok").list().getItems();
            assertThat(nodes).hasSize(1000);
            assertThat(nodes).allSatisfy(n -> {
                assertThat(n.getStatus().getCapacity().get("nvidia.com/gpu").getAmount()).isEqualTo("8");
                assertThat(n.getMetadata().getLabels()).containsEntry("nvidia.com/gpu.present", "true")
                    .containsEntry("feature.node.kubernetes.io/pci-10de.present", "true")
                    .containsKeys("nvidia.com/gpu.product", "nvidia.com/gpu.count", "nvidia.com/gpu.memory");
            });
            assertThat(nodes.stream().filter(n -> n.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")))).hasSize(1000);
        } finally {
            cluster.kwokNodes(0);
        }
    }
}
