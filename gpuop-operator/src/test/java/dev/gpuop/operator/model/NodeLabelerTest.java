package dev.gpuop.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.operator.TestNodes;
import io.fabric8.kubernetes.api.model.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeLabelerTest {

    private static Map<String, Map<String, String>> changes(Node... nodes) {
        return NodeLabeler.changes(ClusterInfoObserver.observe(List.of(nodes)), "all-disabled");
    }

    private static Node gpu(Map<String, String> extraLabels, String preinstalled) {
        Map<String, String> labels = new HashMap<>(Map.of("feature.node.kubernetes.io/pci-10de.present", "true"));
        labels.putAll(extraLabels);
        Map<String, String> ann = preinstalled == null ? Map.of()
            : Map.of("gpuop.dev/driver-preinstalled", preinstalled);
        return TestNodes.node("gpu-1", "v1.33.5+k3s1", "Ubuntu 22.04.4 LTS", labels, ann);
    }

    @Test
    void aNewGpuNodeGetsPresenceDistributionAndEveryDeployLabelButTheDriverUntilTheAgentReports() {
        Map<String, String> c = changes(gpu(Map.of(), null)).get("gpu-1");
        assertThat(c).containsEntry("nvidia.com/gpu.present", "true").containsEntry("gpuop.dev/distribution", "k3s")
            .containsEntry("nvidia.com/gpu.deploy.node-agent", "true")
            .containsEntry("nvidia.com/gpu.deploy.device-plugin", "true")
            .doesNotContainKey("nvidia.com/gpu.deploy.driver").doesNotContainKey("nvidia.com/gpu.deploy.mig-manager");
    }

    @Test
    void theDriverLabelFollowsTheAgentsReportAndPreInstalledBeatsTrue() {
        assertThat(changes(gpu(Map.of(), "false")).get("gpu-1")).containsEntry("nvidia.com/gpu.deploy.driver",
            "true");
        assertThat(changes(gpu(Map.of(), "true")).get("gpu-1")).containsEntry("nvidia.com/gpu.deploy.driver",
            "pre-installed");
        // a node labelled for the driver container before the agent saw the host driver: never both
        assertThat(changes(gpu(Map.of("nvidia.com/gpu.deploy.driver", "true"), "true")).get("gpu-1"))
            .containsEntry("nvidia.com/gpu.deploy.driver", "pre-installed");
        // a paused value (NVIDIA's driver manager) is left alone
        assertThat(changes(gpu(Map.of("nvidia.com/gpu.deploy.driver", "paused-for-driver-upgrade"), "false"))
            .get("gpu-1")).doesNotContainKey("nvidia.com/gpu.deploy.driver");
    }

    @Test
    void aUsersFalseKeepsThatOperandOffAndOperandsFalseRemovesEveryDeployLabel() {
        Map<String, String> c = changes(gpu(Map.of("nvidia.com/gpu.deploy.device-plugin", "false"), "true"))
            .get("gpu-1");
        assertThat(c).doesNotContainKey("nvidia.com/gpu.deploy.device-plugin")
            .containsEntry("nvidia.com/gpu.deploy.node-agent", "true");
        Map<String, String> off = changes(gpu(Map.of("nvidia.com/gpu.deploy.operands", "false",
            "nvidia.com/gpu.deploy.node-agent", "true", "nvidia.com/gpu.deploy.dcgm-exporter", "false"), "true"))
            .get("gpu-1");
        assertThat(off).containsEntry("nvidia.com/gpu.deploy.node-agent", null)
            .containsEntry("nvidia.com/gpu.deploy.dcgm-exporter", null)
            .doesNotContainKey("nvidia.com/gpu.deploy.operands").doesNotContainKey("nvidia.com/gpu.deploy.driver");
    }

    @Test
    void migCapableNodesGetTheMigManagerAndTheDefaultLayout() {
        Map<String, String> c = changes(gpu(Map.of("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3"), "true"))
            .get("gpu-1");
        assertThat(c).containsEntry("nvidia.com/gpu.deploy.mig-manager", "true")
            .containsEntry("nvidia.com/mig.config", "all-disabled");
        assertThat(changes(gpu(Map.of("nvidia.com/gpu.product", "NVIDIA-H100", "nvidia.com/mig.capable", "false"),
            "true")).get("gpu-1")).doesNotContainKey("nvidia.com/gpu.deploy.mig-manager");
    }

    @Test
    void aLabelledNodeCostsNoWriteAndAFormerGpuNodeIsCleaned() {
        Node first = gpu(Map.of(), "true");
        Map<String, String> labels = new HashMap<>(first.getMetadata().getLabels());
        labels.putAll(changes(first).get("gpu-1"));
        first.getMetadata().setLabels(labels);
        assertThat(changes(first)).isEmpty();

        labels.put("nvidia.com/gpu.present", "false");
        assertThat(changes(first).get("gpu-1")).containsEntry("nvidia.com/gpu.deploy.node-agent", null)
            .containsEntry("gpuop.dev/distribution", null).doesNotContainKey("nvidia.com/gpu.present");
        assertThat(changes(TestNodes.cpuNode("cpu-1"))).isEmpty();
    }
}
