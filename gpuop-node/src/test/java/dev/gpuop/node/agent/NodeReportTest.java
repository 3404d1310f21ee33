package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeReportTest {

    private final NodeReport ready = new NodeReport(true, 8, true, "");

    @Test
    void aFreshNodeGetsEveryAnnotationAndTheGpuLabel() {
        assertThat(ready.annotationChanges(null)).containsExactly(
            Map.entry(NodeReport.DRIVER_PREINSTALLED, "true"), Map.entry(NodeReport.GPU_COUNT, "8"),
            Map.entry(NodeReport.STATE, "ready"), Map.entry(NodeReport.REASON, ""));
        assertThat(ready.gpuPresentLabel(Map.of())).contains("true");
        assertThat(ready.changes(Map.of(), Map.of())).isTrue();
    }

    @Test
    void anUnchangedNodeCostsNoWrite() {
        assertThat(ready.annotationChanges(ready.annotations())).isEmpty();
        assertThat(ready.changes(Map.of(NodeReport.GPU_PRESENT, "true"), ready.annotations())).isFalse();
    }

    @Test
    void onlyWhatChangedIsWritten() {
        NodeReport notReady = new NodeReport(true, 8, false, "device plugin not registered with the kubelet yet");
        assertThat(notReady.annotationChanges(ready.annotations())).containsOnlyKeys(NodeReport.STATE,
            NodeReport.REASON);
    }

    @Test
    void theNodeChecksVerdictIsAnnotatedOnceTheyRanAndRewrittenOnlyWhenItChanges() {
        NodeReport before = new NodeReport(true, 8, true, "", true, Map.of());
        assertThat(before.annotations()).doesNotContainKey(NodeReport.VALIDATION);
        NodeReport passed = new NodeReport(true, 8, true, "", true, Map.of(), "passed");
        assertThat(passed.annotationChanges(before.annotations())).containsExactly(
            Map.entry(NodeReport.VALIDATION, "passed"));
        assertThat(passed.annotationChanges(passed.annotations())).isEmpty();
        NodeReport failed = new NodeReport(true, 8, true, "", true, Map.of(), "plugin: kubelet restarted");
        assertThat(failed.annotationChanges(passed.annotations())).containsExactly(
            Map.entry(NodeReport.VALIDATION, "plugin: kubelet restarted"));
    }

    @Test
    void aUsersGpuPresentValueIsNeverOverwritten() {
        assertThat(ready.gpuPresentLabel(Map.of(NodeReport.GPU_PRESENT, "false"))).isEmpty();
        assertThat(ready.gpuPresentLabel(Map.of(NodeReport.GPU_PRESENT, ""))).contains("true");
    }

    @Test
    void featureLabelsAreWrittenWhenTheyDifferAndNeverAgainWhenTheyDoNot() {
        NodeReport r = new NodeReport(true, 8, true, "", true, Map.of("nvidia.com/gpu.product", "NVIDIA-H100",
            "nvidia.com/gpu.count", "8"));
        assertThat(r.labelChanges(Map.of(NodeReport.GPU_PRESENT, "true", "nvidia.com/gpu.count", "4")))
            .containsExactlyInAnyOrderEntriesOf(Map.of("nvidia.com/gpu.product", "NVIDIA-H100",
                "nvidia.com/gpu.count", "8"));
        assertThat(r.changes(Map.of(NodeReport.GPU_PRESENT, "true", "nvidia.com/gpu.product", "NVIDIA-H100",
            "nvidia.com/gpu.count", "8"), r.annotations())).isFalse();
    }

    @Test
    void aGfdLabelThatNoLongerAppliesIsRemovedAndAUsersOwnIsKept() {
        NodeReport r = new NodeReport(true, 1, true, "", true, Map.of("nvidia.com/gpu.product", "NVIDIA-H100",
            "nvidia.com/mig.strategy", "mixed"));
        Map<String, String> node = new java.util.HashMap<>(Map.of(NodeReport.GPU_PRESENT, "true",
            "nvidia.com/gpu.product", "NVIDIA-H100", "nvidia.com/mig.strategy", "mixed",
            "nvidia.com/mig-1g.10gb.count", "7", "nvidia.com/gpu.deploy.dcgm-exporter", "false",
            "nvidia.com/device-plugin.config", "ts4"));
        Map<String, String> changes = r.labelChanges(node);
        assertThat(changes).containsOnlyKeys("nvidia.com/mig-1g.10gb.count").containsEntry(
            "nvidia.com/mig-1g.10gb.count", null);
        assertThat(r.changes(node, r.annotations())).isTrue();
        node.remove("nvidia.com/mig-1g.10gb.count");
        assertThat(r.labelChanges(node)).isEmpty();
        // an agent with no labels yet (starting, or labels off) takes nothing away
        assertThat(new NodeReport(true, 1, true, "", true, Map.of()).labelChanges(Map.of(NodeReport.GPU_PRESENT,
            "true", "nvidia.com/gpu.product", "NVIDIA-H100"))).isEmpty();
    }

    @Test
    void discoveryLabelsANodeByWhatIsOnItsPciBus() {
        // a GPU whose driver is not loaded yet is still a GPU node
        assertThat(new NodeReport(false, 0, false, "no driver", true).gpuPresentLabel(Map.of())).contains("true");
        // no NVIDIA device: false, so the operator's discovery pod leaves the node for good
        assertThat(new NodeReport(false, 0, false, "no GPU", false).gpuPresentLabel(Map.of())).contains("false");
        assertThat(new NodeReport(false, 0, false, "no GPU", false).gpuPresentLabel(Map.of(NodeReport.GPU_PRESENT,
            "true"))).isEmpty();
    }
}
