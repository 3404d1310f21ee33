package dev.gpuop.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.operator.TestNodes;
import dev.gpuop.operator.model.ClusterInfoObserver;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan in a screenful: operands with their objects or off, GPU nodes with their DaemonSet and labels. */
class PlanPrinterTest {

    @Test
    void theSummaryNamesEachOperandsObjectsAndTheDaemonSetServingEachGpuNode() {
        DesiredState plan = Planner.plan(TestNodes.policy(PlannerGoldenTest.SEED), ClusterInfoObserver.observe(
            List.of(TestNodes.nfdGpuNode("gpu-a", "v1.33.5+rke2r1"), TestNodes.nfdGpuNode("gpu-b", "v1.33.5"),
                TestNodes.cpuNode("cpu-1"))), PlannerGoldenTest.SETTINGS, null);
        String s = PlanPrinter.summary(plan);
        assertThat(s.lines().filter(l -> l.startsWith("  driver ")).findFirst()).get().asString().endsWith("off");
        assertThat(s.lines().filter(l -> l.startsWith("  node-agent ")).findFirst()).get().asString()
            .contains("DaemonSet/gpuop-node-agent", "DaemonSet/gpuop-node-agent-rke2");
        assertThat(s).contains("GPU nodes (2 of 3):", "gpu-a          rke2       served by gpuop-node-agent-rke2",
            "gpu-b          containerd served by gpuop-node-agent").doesNotContain("cpu-1");
        assertThat(s).contains("labels  gpuop.dev/distribution=rke2 nvidia.com/gpu.present=true")
            .contains("deploys container-toolkit dcgm-exporter device-plugin driver=pre-installed");

        DesiredState bad = Planner.plan(TestNodes.policy("operator:\n  defaultRuntime: crio\n"),
            ClusterInfoObserver.observe(List.of()), PlannerGoldenTest.SETTINGS, null);
        assertThat(PlanPrinter.summary(bad)).startsWith("policy problem: spec.operator.defaultRuntime");
    }
}
