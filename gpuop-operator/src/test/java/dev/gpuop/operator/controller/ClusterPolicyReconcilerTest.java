package dev.gpuop.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which Node updates wake the reconcile: the agent's report, the node checks' verdict included; not heartbeats. */
class ClusterPolicyReconcilerTest {

    private static Node node(String resourceVersion, Map<String, String> annotations) {
        return new NodeBuilder().withNewMetadata().withName("gpu-1").withResourceVersion(resourceVersion)
            .withLabels(Map.of("nvidia.com/gpu.present", "true")).withAnnotations(annotations).endMetadata().build();
    }

    @Test
    void aNewVerdictOfTheNodeChecksWakesTheReconcileAHeartbeatDoesNot() {
        Node before = node("1", Map.of("gpuop.dev/node-agent-state", "ready"));
        Node heartbeat = node("2", Map.of("gpuop.dev/node-agent-state", "ready",
            "node.alpha.kubernetes.io/ttl", "0"));
        Node verdict = node("3", Map.of("gpuop.dev/node-agent-state", "ready",
            "gpuop.dev/validation", "toolkit: containerd has no runtime handler 'nvidia'"));
        assertThat(ClusterPolicyReconciler.matters(heartbeat, before)).isFalse();
        assertThat(ClusterPolicyReconciler.matters(verdict, before)).isTrue();
        assertThat(ClusterPolicyReconciler.matters(node("4", Map.of("gpuop.dev/node-agent-state", "notReady")),
            before)).isTrue();
    }

    @Test
    void theDriverUpgradeStateAloneDoesNotWakeTheReconcileOtherGpuLabelsDo() {
        Node before = node("1", Map.of());
        Node upgrading = node("2", Map.of());
        upgrading.getMetadata().setLabels(Map.of("nvidia.com/gpu.present", "true",
            "nvidia.com/gpu-driver-upgrade-state", "cordon-required"));
        Node deploy = node("3", Map.of());
        deploy.getMetadata().setLabels(Map.of("nvidia.com/gpu.present", "true",
            "nvidia.com/gpu.deploy.driver", "false"));
        assertThat(ClusterPolicyReconciler.matters(upgrading, before)).isFalse();
        assertThat(ClusterPolicyReconciler.matters(deploy, before)).isTrue();
    }
}
