package dev.gpuop.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.api.v1alpha1.ClusterPolicyStatus;
import dev.gpuop.api.v1alpha1.ComponentState;
import dev.gpuop.api.v1alpha1.OperandStatus;
import dev.gpuop.api.v1alpha1.PolicyState;
import dev.gpuop.operator.TestNodes;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusBuilderTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
    private static final List<OperandStatus> READY = List.of(new OperandStatus("node-agent", ComponentState.READY,
        ""), new OperandStatus("driver", ComponentState.DISABLED, ""));

    private static Condition condition(ClusterPolicyStatus s, String type) {
        return s.conditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void readyWhenEveryEnabledOperandIsAndStableWhileNothingChanges() {
        ClusterInfo c = ClusterInfoObserver.observe(List.of(TestNodes.nfdGpuNode("gpu-1", "v1.33.5")));
        ClusterPolicyStatus first = StatusBuilder.build(3, "gpu-operator", c, READY, List.of(), null, T0);
        assertThat(first.state()).isEqualTo(PolicyState.READY);
        assertThat(condition(first, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(first, "Error").getStatus()).isEqualTo("False");
        assertThat(first.readyNodes()).isEqualTo(1);
        assertThat(first.observedGeneration()).isEqualTo(3);
        ClusterPolicyStatus again = StatusBuilder.build(3, "gpu-operator", c, READY, List.of(), first,
            T0.plusSeconds(60));
        assertThat(again).as("an unchanged cluster must give an equal status (no write)").isEqualTo(first);
    }

    @Test
    void aProblemIsAnErrorConditionNamingTheField() {
        ClusterInfo c = ClusterInfoObserver.observe(List.of());
        ClusterPolicyStatus s = StatusBuilder.build(1, "ns", c, List.of(), List.of(new PolicyProblem(
            "spec.mig.strategy", "mixed needs MIG")), null, T0);
        assertThat(s.state()).isEqualTo(PolicyState.NOT_READY);
        assertThat(condition(s, "Error").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Error").getReason()).isEqualTo(StatusBuilder.POLICY_INVALID);
        assertThat(condition(s, "Ready").getMessage()).contains("spec.mig.strategy");
    }

    @Test
    void nodesNotReadyAreListedFirstAndTheListIsCut() {
        List<io.fabric8.kubernetes.api.model.Node> nodes = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            nodes.add(TestNodes.nfdGpuNode(String.format("n%03d", i), "v1.33.5"));
        }
        nodes.add(TestNodes.node("z-broken", "v1.33.5", "Ubuntu 24.04", Map.of("nvidia.com/gpu.present", "true"),
            Map.of("gpuop.dev/node-agent-state", "notReady", "gpuop.dev/node-agent-reason", "NVML: no driver")));
        ClusterPolicyStatus s = StatusBuilder.build(1, "ns", ClusterInfoObserver.observe(nodes), READY, List.of(),
            null, T0);
        assertThat(s.gpuNodes()).isEqualTo(151);
        assertThat(s.readyNodes()).isEqualTo(150);
        assertThat(s.nodes()).hasSize(ClusterPolicyStatus.MAX_NODES);
        assertThat(s.nodesOmitted()).isEqualTo(51);
        assertThat(s.nodes().getFirst().name()).isEqualTo("z-broken");
        assertThat(s.nodes().getFirst().message()).isEqualTo("NVML: no driver");
    }

    @Test
    void eachNodeSaysItsFirstFailedCheckAsItsAgentReportedIt() {
        ClusterInfo c = ClusterInfoObserver.observe(List.of(
            TestNodes.node("gpu-1", "v1.33.5+k3s1", "Ubuntu 24.04", Map.of("nvidia.com/gpu.present", "true"),
                Map.of("gpuop.dev/node-agent-state", "ready", "gpuop.dev/validation", "passed")),
            TestNodes.node("gpu-2", "v1.33.5", "Ubuntu 24.04", Map.of("nvidia.com/gpu.present", "true"),
                Map.of("gpuop.dev/node-agent-state", "notReady", "gpuop.dev/validation",
                    "plugin: not registered with the kubelet yet")),
            TestNodes.nfdGpuNode("gpu-3", "v1.33.5")));
        ClusterPolicyStatus s = StatusBuilder.build(1, "ns", c, READY, List.of(), null, T0);
        assertThat(s.nodes()).extracting(n -> n.name() + "=" + n.validation()).containsExactlyInAnyOrder(
            "gpu-1=passed", "gpu-2=plugin: not registered with the kubelet yet", "gpu-3=null");
    }

    @Test
    void anOperandNotReadyIsNotAnError() {
        ClusterInfo c = ClusterInfoObserver.observe(List.of(TestNodes.nfdGpuNode("gpu-1", "v1.33.5")));
        ClusterPolicyStatus s = StatusBuilder.build(1, "ns", c, List.of(new OperandStatus("node-agent",
            ComponentState.NOT_READY, "0 of 1 pods available")), List.of(), null, T0);
        assertThat(s.state()).isEqualTo(PolicyState.NOT_READY);
        assertThat(condition(s, "Ready").getReason()).isEqualTo(StatusBuilder.OPERAND_NOT_READY);
        assertThat(condition(s, "Error").getStatus()).isEqualTo("False");
        assertThat(StatusBuilder.ignored(1, "older", null, T0).state()).isEqualTo(PolicyState.IGNORED);
    }
}
